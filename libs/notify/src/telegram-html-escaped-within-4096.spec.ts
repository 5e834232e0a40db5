import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { telegramHtmlError } from '../../../test/support/servers/provider-receivers';
import { alert, firingPayload, resolvedPayload } from './notify-fixtures';
import { telegramEscape, telegramMessage } from './telegram.notifier';

describe('Telegram sendMessage with parse_mode HTML', () => {
  it('chat_id, HTML text with the headline in bold, a line per alert and the links; link previews off', () => {
    const m = telegramMessage(firingPayload(), '1234') as any;
    assert.equal(m.chat_id, '1234');
    assert.equal(m.parse_mode, 'HTML');
    assert.deepEqual(m.link_preview_options, { is_disabled: true });
    assert.equal(
      m.text,
      [
        '<b>[FIRING:1] orders-db: primary pg1 unreachable for 12s; pg2 promoted at 03:12:07</b>',
        '• SystemDown: orders-db: primary pg1 unreachable for 12s; pg2 promoted at 03:12:07',
        '<a href="https://nines.example.com/incidents/42">Incident 42</a> · <a href="https://nines.example.com/api/v1/ack/42.1770000000.c2lnbmF0dXJl">Acknowledge</a>',
      ].join('\n'),
    );
    assert.equal(telegramHtmlError(m.text), undefined, 'parses as the Bot API parses HTML');
  });

  it('<, > and & in alert text become entities, so the Bot API parses the message instead of refusing it', () => {
    const m = telegramMessage(firingPayload({ alerts: [alert({ annotations: { summary: 'lag > 5s & <replica> "r1"' } })] }), '1') as any;
    assert.match(m.text, /lag &gt; 5s &amp; &lt;replica&gt; &quot;r1&quot;/);
    assert.equal(telegramHtmlError(m.text), undefined);
    assert.match(telegramHtmlError('lag <replica>') ?? '', /Unsupported start tag "replica"/, 'unescaped, it would be refused');
    assert.equal(telegramEscape('<a&b>'), '&lt;a&amp;b&gt;');
  });

  it('a resolution has no Acknowledge link', () => {
    assert.doesNotMatch((telegramMessage(resolvedPayload(), '1') as any).text, /Acknowledge/);
  });

  it('never passes 4096 characters: alert lines are dropped from the end and counted, tags stay whole', () => {
    const many = Array.from({ length: 80 }, (_, i) => alert({ fingerprint: `f${i}`, annotations: { summary: `replica ${i} <lagging> ${'x'.repeat(80)}` } }));
    const m = telegramMessage(firingPayload({ alerts: many }), '1') as any;
    assert.ok(m.text.length <= 4096, `${m.text.length}`);
    assert.match(m.text, /\nand \d+ more\n/);
    assert.equal(telegramHtmlError(m.text), undefined);
  });
});
