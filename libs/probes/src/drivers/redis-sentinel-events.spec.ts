import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSentinelEvent, SentinelEventDeduper } from './redis-sentinel.driver';

test('+switch-master reads old → new', () => {
  const e = parseSentinelEvent('+switch-master', 'lab-redis 127.0.0.1 16379 127.0.0.1 16380', 'lab-redis');
  assert.equal(e?.message, '+switch-master lab-redis 127.0.0.1 16379 → 127.0.0.1 16380');
  assert.deepEqual(e?.details, { master_name: 'lab-redis', old_master: '127.0.0.1:16379', new_master: '127.0.0.1:16380' });
});

test('events about other masters and chatter channels are ignored', () => {
  assert.equal(parseSentinelEvent('+switch-master', 'other 1.1.1.1 1 2.2.2.2 2', 'lab-redis'), undefined);
  assert.equal(parseSentinelEvent('+sdown', 'master other 127.0.0.1 6379', 'lab-redis'), undefined);
  assert.equal(parseSentinelEvent('__sentinel__:hello', '127.0.0.1,26381,abc,0,lab-redis,127.0.0.1,26379,0', 'lab-redis'), undefined);
  assert.equal(parseSentinelEvent('+vote-for-leader', '2232a80a5a4ee39781ac234f64b56cdc8ee79177 1', 'lab-redis'), undefined);
  assert.equal(parseSentinelEvent('-role-change', 'slave 127.0.0.1:26379 127.0.0.1 26379 @ lab-redis 127.0.0.1 26380 new reported role is master', 'lab-redis'), undefined);
});

test('the failover sequence as the leading sentinel publishes it', () => {
  const recorded: [string, string][] = [
    ['+sdown', 'master lab-redis 127.0.0.1 26379'],
    ['+odown', 'master lab-redis 127.0.0.1 26379 #quorum 2/2'],
    ['+new-epoch', '1'],
    ['+try-failover', 'master lab-redis 127.0.0.1 26379'],
    ['+elected-leader', 'master lab-redis 127.0.0.1 26379'],
    ['+failover-state-select-slave', 'master lab-redis 127.0.0.1 26379'],
    ['+selected-slave', 'slave 127.0.0.1:26380 127.0.0.1 26380 @ lab-redis 127.0.0.1 26379'],
    ['+failover-state-send-slaveof-noone', 'slave 127.0.0.1:26380 127.0.0.1 26380 @ lab-redis 127.0.0.1 26379'],
    ['+failover-state-wait-promotion', 'slave 127.0.0.1:26380 127.0.0.1 26380 @ lab-redis 127.0.0.1 26379'],
    ['+promoted-slave', 'slave 127.0.0.1:26380 127.0.0.1 26380 @ lab-redis 127.0.0.1 26379'],
    ['+failover-state-reconf-slaves', 'master lab-redis 127.0.0.1 26379'],
    ['+failover-end', 'master lab-redis 127.0.0.1 26379'],
    ['+switch-master', 'lab-redis 127.0.0.1 26379 127.0.0.1 26380'],
    ['+slave', 'slave 127.0.0.1:26379 127.0.0.1 26379 @ lab-redis 127.0.0.1 26380'],
    ['+sdown', 'slave 127.0.0.1:26379 127.0.0.1 26379 @ lab-redis 127.0.0.1 26380'],
    ['-sdown', 'slave 127.0.0.1:26379 127.0.0.1 26379 @ lab-redis 127.0.0.1 26380'],
    ['+convert-to-slave', 'slave 127.0.0.1:26379 127.0.0.1 26379 @ lab-redis 127.0.0.1 26380'],
  ];
  const kinds = recorded.map(([c, m]) => parseSentinelEvent(c, m, 'lab-redis')?.kind).filter(Boolean);
  assert.deepEqual(kinds, [
    '+sdown',
    '+odown',
    '+new-epoch',
    '+try-failover',
    '+elected-leader',
    '+failover-state-select-slave',
    '+failover-state-send-slaveof-noone',
    '+failover-state-wait-promotion',
    '+promoted-slave',
    '+failover-state-reconf-slaves',
    '+failover-end',
    '+switch-master',
    '+sdown',
    '-sdown',
    '+convert-to-slave',
  ]);
  assert.equal(parseSentinelEvent('+promoted-slave', recorded[9][1], 'lab-redis')?.message, '+promoted-slave slave 127.0.0.1:26380 (master lab-redis 127.0.0.1:26379)');
  assert.equal(parseSentinelEvent('+odown', recorded[1][1], 'lab-redis')?.message, '+odown master lab-redis 127.0.0.1:26379 #quorum 2/2');
});

test('the same event from three sentinels is emitted once and counts its reporters', () => {
  let now = 1_000;
  const d = new SentinelEventDeduper(10_000, () => now);
  // Sentinels word +odown differently ("#quorum 3/2" vs "#quorum 2/2"): still one event.
  const a = parseSentinelEvent('+odown', 'master lab-redis 127.0.0.1 26379 #quorum 2/2', 'lab-redis')!;
  const b = parseSentinelEvent('+odown', 'master lab-redis 127.0.0.1 26379 #quorum 3/2', 'lab-redis')!;
  const first = d.offer('s1', a);
  assert.ok(first);
  now += 300;
  assert.equal(d.offer('s2', b), undefined);
  assert.equal(d.offer('s3', b), undefined);
  assert.deepEqual(first.details?.reported_by, ['s1', 's2', 's3']);
  assert.equal(first.details?.reporters, 3);
});

test('the same sentinel repeating an event, or a copy after the window, is a new occurrence', () => {
  let now = 0;
  const d = new SentinelEventDeduper(10_000, () => now);
  const e = parseSentinelEvent('+sdown', 'master lab-redis 127.0.0.1 26379', 'lab-redis')!;
  assert.ok(d.offer('s1', e));
  now += 2_000;
  assert.ok(d.offer('s1', e), 'flapped: s1 says it again');
  now += 11_000;
  assert.ok(d.offer('s2', e), 'outside the window');
});
