import type { SentinelView } from './redis-sentinel.driver';

/** Recorded from redis-server 7.0.15 with three sentinels (SENTINEL MASTER / REPLICAS lab-redis). */
export const MASTER_TABLE: Record<string, string> = {
  name: 'lab-redis',
  ip: '127.0.0.1',
  port: '26379',
  runid: '0c7bef27c21ed88acaf218fd4e2ae51f3146eea8',
  flags: 'master',
  'link-pending-commands': '0',
  'link-refcount': '1',
  'last-ping-sent': '0',
  'last-ok-ping-reply': '35',
  'last-ping-reply': '35',
  'down-after-milliseconds': '1000',
  'info-refresh': '3068',
  'role-reported': 'master',
  'role-reported-time': '3106',
  'config-epoch': '0',
  'num-slaves': '1',
  'num-other-sentinels': '2',
  quorum: '2',
  'failover-timeout': '5000',
  'parallel-syncs': '1',
};

export const REPLICA_OK: Record<string, string> = {
  name: '127.0.0.1:26380',
  ip: '127.0.0.1',
  port: '26380',
  runid: '819f0543f7a708ac15e9e468f94aa47626a7055c',
  flags: 'slave',
  'link-pending-commands': '0',
  'link-refcount': '1',
  'last-ping-sent': '0',
  'last-ok-ping-reply': '412',
  'last-ping-reply': '412',
  'down-after-milliseconds': '1000',
  'info-refresh': '1013',
  'role-reported': 'slave',
  'role-reported-time': '3131',
  'master-link-down-time': '0',
  'master-link-status': 'ok',
  'master-host': '127.0.0.1',
  'master-port': '26379',
  'slave-priority': '100',
  'slave-repl-offset': '15321',
  'replica-announced': '1',
};

/** The old master after a failover, still dead: how sentinels list it among the replicas. */
export const REPLICA_DOWN: Record<string, string> = {
  name: '127.0.0.1:26379',
  ip: '127.0.0.1',
  port: '26379',
  runid: '',
  flags: 's_down,slave,disconnected',
  'link-pending-commands': '3',
  'link-refcount': '1',
  'last-ping-sent': '19371',
  'last-ok-ping-reply': '19371',
  'last-ping-reply': '19371',
  's-down-time': '18334',
  'down-after-milliseconds': '1000',
  'info-refresh': '0',
  'role-reported': 'slave',
  'role-reported-time': '19371',
  'master-link-down-time': '0',
  'master-link-status': 'err',
  'master-host': '?',
  'master-port': '0',
  'slave-priority': '100',
  'slave-repl-offset': '0',
  'replica-announced': '1',
};

export const CK_OK = { ok: true, message: 'OK 3 usable Sentinels. Quorum and failover authorization can be reached' };

export function healthyView(address: string, over: Partial<SentinelView> = {}): SentinelView {
  return { address, master: { ...MASTER_TABLE }, addr: '127.0.0.1:26379', ckquorum: CK_OK, replicas: [{ ...REPLICA_OK }], ...over };
}
