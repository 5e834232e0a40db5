import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { interpretHaproxy, parseHaproxyPage, haproxySchema, type HaproxyStats } from './haproxy.driver';

// Recorded from HAProxy 2.6.12 (`stats uri /stats` + `;csv`): backend web with b1 (active, L7OK),
// b2 (active, connection refused) and b3 (backup).
const CSV_B2_DOWN = `# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,
stats,FRONTEND,,,1,2,9984,4,269,111540,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,3,0,2,,,,0,3,0,0,0,0,,3,2,4,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,http,,3,2,4,4,0,0,0,,,0,0,,,,,,,0,,,,,,,,,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,4,4,348,111617,0,0,
web,b1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,3,0,,1,3,1,,0,,2,0,,0,L7OK,200,1,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,Layer7 check passed,,2,3,4,,,,,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
web,b2,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1,1,0,1,1,3,3,,1,3,2,,0,,2,0,,0,L4CON,,0,0,0,0,0,0,0,,,,0,0,0,,,,,-1,Connection refused,,0,0,0,0,,,,Layer4 connection problem,,2,3,0,,,,,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
web,b3,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,0,1,0,0,3,0,,1,3,3,,0,,2,0,,0,L7OK,200,1,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,Layer7 check passed,,2,3,4,,,,,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
web,BACKEND,0,0,0,0,1,0,0,0,0,0,,0,0,0,0,UP,1,1,1,,0,3,0,,1,3,0,,0,,1,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,,http,,,,,,,,0,0,0,0,0,,,0,0,0,0,0,,,,,1,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,19,19,5495,234,0,0,
`;

// Same proxy after `set server web/b1 state drain` and `set server web/b3 state maint`.
const CSV_DRAIN_MAINT = `# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,
stats,FRONTEND,,,1,1,9984,1,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,1,0,1,,,,0,0,0,0,0,0,,1,1,1,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,http,,1,1,1,1,0,0,0,,,0,0,,,,,,,0,,,,,,,,,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,88,0,0,0,
web,b1,0,0,0,0,,0,0,0,,0,,0,0,0,0,DRAIN,1,1,0,0,0,0,0,,1,3,1,,0,,2,0,,0,L7OK,200,1,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,Layer7 check passed,,2,3,4,,,,,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
web,b2,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1,1,0,1,1,2,2,,1,3,2,,0,,2,0,,0,L4CON,,0,0,0,0,0,0,0,,,,0,0,0,,,,,-1,Connection refused,,0,0,0,0,,,,Layer4 connection problem,,2,3,0,,,,,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
web,b3,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1,0,1,0,1,0,0,,1,3,3,,0,,2,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
web,BACKEND,0,0,0,0,1,0,0,0,0,0,,0,0,0,0,DOWN,0,0,0,,1,0,0,,1,3,0,,0,,1,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,,http,,,,,,,,0,0,0,0,0,,,0,0,0,0,0,,,,,0,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,14,14,4435,162,0,0,
`;

// The built-in Prometheus exporter of the same HAProxy (status, check and pool series kept).
const PROM_B2_DOWN = `# HELP haproxy_backend_status Current status of the service, per state label value.
# TYPE haproxy_backend_status gauge
haproxy_backend_status{proxy="web",state="DOWN"} 0
haproxy_backend_status{proxy="web",state="UP"} 1
# HELP haproxy_backend_active_servers Total number of active UP servers with a non-zero weight
# TYPE haproxy_backend_active_servers gauge
haproxy_backend_active_servers{proxy="web"} 1
# HELP haproxy_backend_backup_servers Total number of backup UP servers with a non-zero weight
# TYPE haproxy_backend_backup_servers gauge
haproxy_backend_backup_servers{proxy="web"} 1
# HELP haproxy_server_status Current status of the service, per state label value.
# TYPE haproxy_server_status gauge
haproxy_server_status{proxy="web",server="b1",state="DOWN"} 0
haproxy_server_status{proxy="web",server="b1",state="UP"} 1
haproxy_server_status{proxy="web",server="b1",state="MAINT"} 0
haproxy_server_status{proxy="web",server="b1",state="DRAIN"} 0
haproxy_server_status{proxy="web",server="b1",state="NOLB"} 0
haproxy_server_status{proxy="web",server="b2",state="DOWN"} 1
haproxy_server_status{proxy="web",server="b2",state="UP"} 0
haproxy_server_status{proxy="web",server="b2",state="MAINT"} 0
haproxy_server_status{proxy="web",server="b2",state="DRAIN"} 0
haproxy_server_status{proxy="web",server="b2",state="NOLB"} 0
haproxy_server_status{proxy="web",server="b3",state="DOWN"} 0
haproxy_server_status{proxy="web",server="b3",state="UP"} 1
haproxy_server_status{proxy="web",server="b3",state="MAINT"} 0
haproxy_server_status{proxy="web",server="b3",state="DRAIN"} 0
haproxy_server_status{proxy="web",server="b3",state="NOLB"} 0
# HELP haproxy_server_weight Server's effective weight, or sum of active servers' effective weights for a backend
# TYPE haproxy_server_weight gauge
haproxy_server_weight{proxy="web",server="b1"} 1
haproxy_server_weight{proxy="web",server="b2"} 1
haproxy_server_weight{proxy="web",server="b3"} 1
# HELP haproxy_server_check_failures_total Total number of failed individual health checks per server/backend, since the worker process started
# TYPE haproxy_server_check_failures_total counter
haproxy_server_check_failures_total{proxy="web",server="b1"} 0
haproxy_server_check_failures_total{proxy="web",server="b2"} 1
haproxy_server_check_failures_total{proxy="web",server="b3"} 0
# HELP haproxy_server_check_status Status of last health check, per state label value.
# TYPE haproxy_server_check_status gauge
haproxy_server_check_status{proxy="web",server="b1",state="L7OK"} 1
haproxy_server_check_status{proxy="web",server="b2",state="L4CON"} 1
haproxy_server_check_status{proxy="web",server="b3",state="L7OK"} 1
`;

function parse(text: string): HaproxyStats {
  const s = parseHaproxyPage(text);
  if ('error' in s) throw new Error(s.error);
  return s;
}

test('csv: one active server down degrades the pool but keeps it up', () => {
  const obs = interpretHaproxy(parse(CSV_B2_DOWN));
  assert.equal(obs.up, true);
  assert.equal(obs.warning, 'pool degraded: web/b2 DOWN (L4CON)');
  assert.deepEqual(obs.peers?.map((p) => [p.id, p.state, p.role]), [
    ['web/b1', 'UP', undefined],
    ['web/b2', 'DOWN', undefined],
    ['web/b3', 'UP', 'backup'],
  ]);
  assert.equal(obs.peers?.[1].details?.check_failures, 1);
  assert.equal(obs.peers?.[1].details?.check_desc, 'Layer4 connection problem');
  assert.deepEqual(obs.details?.backends, [{ name: 'web', active_up: 1, active_total: 2, backup_up: 1, backup_total: 1 }]);
});

test('csv: drain and maintenance leave no UP server, so the backend is down', () => {
  const obs = interpretHaproxy(parse(CSV_DRAIN_MAINT));
  assert.equal(obs.up, false);
  assert.equal(obs.reason, 'backend web has no UP server (web/b1 DRAIN, web/b2 DOWN (L4CON), web/b3 MAINT)');
  assert.deepEqual(obs.details?.backends, [{ name: 'web', active_up: 0, active_total: 2, backup_up: 0, backup_total: 1 }]);
});

test('csv: the stats frontend without servers is not a pool', () => {
  const stats = parse(CSV_B2_DOWN);
  assert.deepEqual(stats.backends, ['web']);
  assert.ok(!stats.servers.some((s) => s.backend === 'stats'));
});

test('csv: a transitional "UP 1/3" server still serves but is listed', () => {
  const text = CSV_B2_DOWN.replace('web,b1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,1,0,0,0', 'web,b1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP 1/3,1,1,0,1,0').replace(/L7OK,200,1,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,Layer7 check passed/, 'L4CON,,0,0,0,0,0,0,0,,,,0,0,0,,,,,-1,Connection refused,,0,0,0,0,,,,Layer4 connection problem');
  const obs = interpretHaproxy(parse(text));
  assert.equal(obs.up, true);
  assert.equal(obs.warning, 'pool degraded: web/b1 UP 1/3 (L4CON), web/b2 DOWN (L4CON)');
});

test('prometheus: same pool read from /metrics', () => {
  const stats = parse(PROM_B2_DOWN);
  assert.equal(stats.format, 'prometheus');
  const obs = interpretHaproxy(stats);
  assert.equal(obs.up, true);
  assert.equal(obs.warning, 'pool degraded: web/b2 DOWN (L4CON)');
  assert.deepEqual(obs.peers?.map((p) => [p.id, p.state, p.details?.check_failures]), [
    ['web/b1', 'UP', 0],
    ['web/b2', 'DOWN', 1],
    ['web/b3', 'UP', 0],
  ]);
  assert.deepEqual(obs.details?.backends, [{ name: 'web', active_up: 1, active_total: 3, backup_up: 1 }]);
});

test('prometheus: HAProxy before 2.4 exported the state as a number', () => {
  const old = `# TYPE haproxy_server_status gauge
haproxy_server_status{proxy="api",server="a1"} 0
haproxy_server_status{proxy="api",server="a2"} 2
`;
  const obs = interpretHaproxy(parse(old));
  assert.equal(obs.up, false);
  assert.equal(obs.reason, 'backend api has no UP server (api/a1 DOWN, api/a2 MAINT)');
});

test('backend filter: only the named backends count; an unknown name is a failure', () => {
  const two = CSV_B2_DOWN + 'api,a1,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1,1,0,5,1,3,3,,1,4,1,,0,,2,0,,0,L7STS,503,1\n';
  assert.equal(interpretHaproxy(parse(two)).up, false);
  assert.equal(interpretHaproxy(parse(two), ['web']).up, true);
  assert.equal(interpretHaproxy(parse(two), ['nope']).reason, 'backend nope not found on the stats page');
  assert.match(interpretHaproxy(parse(two)).reason!, /^backend api has no UP server \(api\/a1 DOWN \(L7STS\)\)$/);
});

test('garbage is neither format', () => {
  for (const body of ['<html><body>502 Bad Gateway</body></html>', '', 'pxname;svname']) {
    const r = parseHaproxyPage(body);
    assert.ok('error' in r, body);
  }
});

test('schema: unknown fields are config errors; backend takes a name or a list', () => {
  assert.equal(haproxySchema.safeParse({ url: 'http://127.0.0.1:16081/stats;csv' }).success, true);
  assert.equal(haproxySchema.safeParse({ url: 'http://h/stats;csv', backend: ['web', 'api'] }).success, true);
  assert.equal(haproxySchema.safeParse({ url: 'http://h/stats;csv', backends: 'web' }).success, false);
  assert.equal(haproxySchema.safeParse({ url: 'tcp://h:1' }).success, false);
});
