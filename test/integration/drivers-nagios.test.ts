import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nagiosDriver, nagiosSchema } from '../../libs/probes/src/drivers/nagios.driver';
import { tempDir } from '../support/servers/processes';
import { pidAlive } from '../support/servers/spawned';
import { timedProbe } from '../support/servers/probe';
import { waitFor } from '../support/wait';

const probe = (fields: Record<string, unknown>, timeoutMs = 2000) => timedProbe('nagios', fields, timeoutMs);


describe('nagios driver running real plugin scripts', () => {
  const dir = tempDir('nagios');
  const plugin = (name: string, body: string, mode = 0o755) => {
    const p = join(dir.path, name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`);
    chmodSync(p, mode);
    return p;
  };
  let checkLoad: string;
  let hang: string;

  before(() => {
    // One script for every state: the state and a load value come in as args, like real plugins.
    checkLoad = plugin(
      'check_load',
      [
        'state="$1"; load="$2"',
        'case "$state" in',
        '  ok) echo "OK - load average: $load|load1=$load;8;15;0"; exit 0;;',
        '  warn) echo "WARNING - load average: $load|load1=$load;8;15;0"; exit 1;;',
        '  crit) echo "CRITICAL - load average: $load|load1=$load;8;15;0"; echo "top: java 380%"; exit 2;;',
        '  *) echo "UNKNOWN - bad state argument: $state"; exit 3;;',
        'esac',
      ].join('\n'),
    );
    // Starts a grandchild and hangs: a timeout must kill the whole process group.
    hang = plugin('check_hang', `sleep 30 &\necho $! > "${dir.path}/child.pid"\nwait`);
  });

  after(() => dir.remove());

  test('exit codes 0/1/2/3 map to ok, warning, critical and unknown', async () => {
    const ok = (await probe({ command: checkLoad, args: ['ok', '0.42'] })).obs;
    assert.equal(ok.up, true);
    assert.deepEqual(ok.details?.perfdata, { load1: { value: 0.42, warn: '8', crit: '15', min: 0 } });
    const warn = (await probe({ command: checkLoad, args: ['warn', '9.1'] })).obs;
    assert.deepEqual([warn.up, warn.warning], [true, 'WARNING - load average: 9.1']);
    const crit = (await probe({ command: checkLoad, args: ['crit', '22'] })).obs;
    assert.deepEqual([crit.up, crit.reason, crit.details?.long_output], [false, 'CRITICAL - load average: 22', 'top: java 380%']);
    const unknown = (await probe({ command: checkLoad, args: ['$(touch pwned)'] })).obs;
    // Args reach the plugin as data: no shell ever expands them.
    assert.deepEqual([unknown.up, unknown.reason], [false, 'unknown: UNKNOWN - bad state argument: $(touch pwned)']);
    assert.equal(existsSync(join(dir.path, 'pwned')), false);
  });

  test('a hanging plugin is killed with its process group at the probe timeout', async () => {
    const { obs, ms } = await probe({ command: hang }, 700);
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'timeout after 700ms');
    assert.ok(ms < 1500, `took ${ms}ms`);
    const pid = Number(readFileSync(join(dir.path, 'child.pid'), 'utf8'));
    await waitFor('the plugin child to be killed', () => !pidAlive(pid) || undefined, 3000);
  });

  test('missing or non-executable plugins are clear failures', async () => {
    assert.equal((await probe({ command: join(dir.path, 'check_nothing') })).obs.reason, `plugin not found: ${join(dir.path, 'check_nothing')}`);
    const noexec = plugin('check_noexec', 'exit 0', 0o644);
    assert.equal((await probe({ command: noexec })).obs.reason, `plugin is not executable: ${noexec}`);
  });

  test('a plugin killed by a signal says so', async () => {
    const seg = plugin('check_segv', 'kill -SEGV $$');
    assert.equal((await probe({ command: seg })).obs.reason, 'plugin killed by SIGSEGV');
  });

  test('a plugin echoing its password does not leak it, in the reason or in details', async () => {
    const chatty = plugin('check_login', 'echo "CRITICAL - login refused for nines with password $2|time=0.1s"; echo "tried $2 twice"; exit 2');
    const fields = { command: chatty, args: ['--password', 'N4gios-S3cret'] };
    assert.deepEqual(nagiosDriver.secrets!(nagiosSchema.parse(fields)), ['N4gios-S3cret']); // what the config loader registers
    const obs = (await probe(fields)).obs;
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'CRITICAL - login refused for nines with password ***');
    assert.ok(!JSON.stringify(obs).includes('N4gios-S3cret'), JSON.stringify(obs));
  });
});
