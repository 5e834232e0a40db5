import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { interpretPlugin, nagiosDriver, nagiosSchema, parsePerfdata } from './nagios.driver';

// Output as Monitoring Plugins print it (check_disk, check_load, check_http, check_procs).
const DISK_OK = "DISK OK - free space: / 80272 MB (31% inode=88%);| /=174032MB;206397;232197;0;257997\n";
const LOAD_WARN = 'WARNING - load average: 10.48, 8.62, 4.12|load1=10.480;8.000;15.000;0; load5=8.620;6.000;10.000;0; load15=4.120;4.000;8.000;0; \n';
const HTTP_CRIT = 'connect to address 127.0.0.1 and port 8080: Connection refused\nHTTP CRITICAL - Unable to open TCP socket\n';
const PROCS_UNKNOWN = 'check_procs: Unknown argument: -z\nUsage:\ncheck_procs -w <range> -c <range> [-m metric] [-s state] [-p ppid]\n';
const LONG = "OK - 3 of 3 replicas streaming | 'lag bytes'=0B;1048576;10485760;0 replicas=3\nreplica1 streaming\nreplica2 streaming | 'replica2 lag'=12s;30;60\n'replica3 lag'=0s;30;60\n";

test('exit 0: up, perfdata parsed into details', () => {
  const obs = interpretPlugin(0, DISK_OK);
  assert.equal(obs.up, true);
  assert.equal(obs.warning, undefined);
  assert.equal(obs.details?.output, 'DISK OK - free space: / 80272 MB (31% inode=88%);');
  assert.deepEqual(obs.details?.perfdata, { '/': { value: 174032, uom: 'MB', warn: '206397', crit: '232197', min: 0, max: 257997 } });
});

test('exit 1: up with the first line as warning', () => {
  const obs = interpretPlugin(1, LOAD_WARN);
  assert.equal(obs.up, true);
  assert.equal(obs.warning, 'WARNING - load average: 10.48, 8.62, 4.12');
  assert.deepEqual(Object.keys(obs.details?.perfdata as object), ['load1', 'load5', 'load15']);
  assert.equal((obs.details?.perfdata as Record<string, { value: number }>).load1.value, 10.48);
});

test('exit 2: down, reason is the first line', () => {
  const obs = interpretPlugin(2, HTTP_CRIT);
  assert.equal(obs.up, false);
  assert.equal(obs.reason, 'connect to address 127.0.0.1 and port 8080: Connection refused');
  assert.equal(obs.details?.long_output, 'HTTP CRITICAL - Unable to open TCP socket');
});

test('exit 3: down as unknown; other codes say the code', () => {
  assert.equal(interpretPlugin(3, PROCS_UNKNOWN).reason, 'unknown: check_procs: Unknown argument: -z');
  assert.equal(interpretPlugin(3, '').reason, 'unknown: (no output)');
  assert.equal(interpretPlugin(127, 'sh: 1: nope: not found').reason, 'plugin exited with code 127: sh: 1: nope: not found');
});

test('long output with multi-line perfdata and quoted labels', () => {
  const obs = interpretPlugin(0, LONG);
  assert.equal(obs.details?.output, 'OK - 3 of 3 replicas streaming');
  assert.equal(obs.details?.long_output, 'replica1 streaming\nreplica2 streaming');
  assert.deepEqual(Object.keys(obs.details?.perfdata as object), ['lag bytes', 'replicas', 'replica2 lag', 'replica3 lag']);
});

test('perfdata: undetermined values and garbage are skipped, quotes unescaped', () => {
  assert.deepEqual(parsePerfdata("a=U;1;2 'it''s'=5% b=1.5e3s;; junk"), { "it's": { value: 5, uom: '%' }, b: { value: 1500, uom: 's' } });
});

test('schema: absolute command only, strict; credential args are secrets', () => {
  assert.equal(nagiosSchema.safeParse({ command: '/usr/lib/nagios/plugins/check_disk', args: ['-w', '20%'] }).success, true);
  const rel = nagiosSchema.safeParse({ command: 'check_disk' });
  assert.equal(rel.success, false);
  assert.equal(rel.error?.issues[0].message, 'must be an absolute path');
  assert.equal(nagiosSchema.safeParse({ command: '/bin/true', shell: true }).success, false);
  const spec = nagiosSchema.parse({ command: '/usr/lib/nagios/plugins/check_mysql', args: ['-H', 'db1', '--password=Sup3r', '-a', 'nines:Hunter22', '-p', '3306'] });
  assert.deepEqual(nagiosDriver.secrets!(spec), ['Sup3r', 'nines:Hunter22']);
});
