import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { recordedPages } from '../../../../test/support/servers/recorded-exporters';
import { ExpositionError, formatOfContentType, formatOpenMetricsFloat, parseExposition, parseValue, type ExpositionFormat } from './prometheus-text';

// Each case is what Prometheus does with the same body: its scrape parsers (model/textparse
// promparse for text/plain 0.0.4, openmetricsparse for OpenMetrics 1.0) and, for the family
// rules, common/expfmt's text parser.
const parse = (body: string | Uint8Array, format: ExpositionFormat = 'text') => parseExposition(body, format);
function refusal(body: string | Uint8Array, format: ExpositionFormat = 'text'): ExpositionError {
  try {
    parse(body, format);
  } catch (err) {
    assert.ok(err instanceof ExpositionError, String(err));
    return err;
  }
  assert.fail(`accepted: ${typeof body === 'string' ? body : '<bytes>'}`);
}
const om = (...lines: string[]) => `${lines.join('\n')}\n# EOF\n`;

describe('text format: whitespace as Prometheus reads it', () => {
  it('allows a space before the brace and spaces inside it', () => {
    const { samples } = parse('# TYPE metric summary\nmetric { quantile="1.0" } 8.3e-05\n');
    assert.deepEqual(samples, [{ name: 'metric', labels: { quantile: '1.0' }, value: 8.3e-5 }]);
  });

  it('reads indented # HELP and # TYPE lines as HELP and TYPE', () => {
    const e = parse('  # HELP foo Foo things.\n\t# TYPE foo counter\nfoo 1\n');
    assert.deepEqual(e.types, { foo: 'counter' });
    assert.match(refusal('  # TYPE foo counter\n  # TYPE foo gauge\nfoo 1\n').reason, /second TYPE line for metric foo/);
  });

  it('skips blank lines, free comments and "#HELP" without a space; tolerates trailing blanks', () => {
    assert.equal(parse('\n   \n# just a comment\n#HELP foo x\nfoo 1  \nbar{a="b",} 2\t\n').samples.length, 2);
  });

  it('refuses a carriage return, as Prometheus does (lines end with \\n)', () => {
    assert.match(refusal('foo 1\r\n').reason, /carriage return/);
  });
});

describe('values and timestamps', () => {
  for (const [text, value] of [
    ['1', 1],
    ['-0.5', -0.5],
    ['.5', 0.5],
    ['5.', 5],
    ['+3', 3],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['+Inf', Infinity],
    ['-Inf', -Infinity],
    ['Inf', Infinity],
    ['inf', Infinity],
    ['+Infinity', Infinity],
    ['NaN', NaN],
    ['nan', NaN],
  ] as const)
    it(`reads ${text}`, () => assert.deepEqual(parse(`foo ${text}\n`).samples[0].value, value));

  for (const text of ['0x1', '0x1p3', '1_000', '1e400', '+NaN', 'one', 'Infin', '1e', '--1', '1,5'])
    it(`refuses ${text}`, () => assert.match(refusal(`foo ${text}\n`).reason, /invalid value/));

  it('text format: the timestamp is integer milliseconds', () => {
    assert.equal(parse('metric 3.14 2720\n').samples[0].timestampMs, 2720);
    assert.match(refusal('metric 3.14 2.72\n').reason, /timestamp in integer milliseconds/);
    assert.match(refusal('metric 3.14 -5\n').reason, /timestamp in integer milliseconds/);
    assert.match(refusal('metric 1 2 3\n').reason, /timestamp in integer milliseconds/);
  });

  it('OpenMetrics: the timestamp is seconds with a fraction; NaN and Inf are refused', () => {
    assert.equal(parse(om('metric 3.14 1712345678.123'), 'openmetrics').samples[0].timestampMs, 1712345678123);
    assert.match(refusal(om('metric 1 NaN'), 'openmetrics').reason, /invalid timestamp/);
  });

  it('formats floats as OpenMetrics does', () => {
    assert.deepEqual([1, 0.25, 1e-5, 100000, 1e6, Infinity, -Infinity, NaN].map(formatOpenMetricsFloat), ['1.0', '0.25', '1e-05', '100000.0', '1e+06', '+Inf', '-Inf', 'NaN']);
    assert.equal(parseValue('0x10'), undefined);
  });
});

describe('names and labels', () => {
  it('refuses __name__ as a label and duplicate labels', () => {
    assert.match(refusal('foo{__name__="bar"} 1\n').reason, /"__name__" is reserved/);
    assert.match(refusal('foo{a="1",a="2"} 1\n').reason, /duplicate label a/);
  });

  it('reads colons in metric names, quoted UTF-8 names and label escapes', () => {
    const { samples } = parse('job:up:sum 1\n{"http.server.duration", "service.name"="api"} 2\nx{p="C:\\\\dir",m="say \\"hi\\"\\nbye",t="a\\tb"} 3\n');
    assert.deepEqual(samples[0].name, 'job:up:sum');
    assert.deepEqual(samples[1], { name: 'http.server.duration', labels: { 'service.name': 'api' }, value: 2 });
    assert.deepEqual(samples[2].labels, { p: 'C:\\dir', m: 'say "hi"\nbye', t: 'a\\tb' });
  });

  it('refuses bad names, unquoted values and a missing brace', () => {
    assert.match(refusal('9foo 1\n').reason, /expected a metric name/);
    assert.match(refusal('foo{a=b} 1\n').reason, /expected a quoted value for label a/);
    assert.match(refusal('foo{a="b" 1\n').reason, /expected a label name/);
    assert.match(refusal('foo{9a="b"} 1\n').reason, /expected a label name/);
  });

  it('refuses invalid UTF-8 in names, label values and HELP, but not in a free comment', () => {
    const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
    const bad = refusal(bytes('ok 1\nfoo{a="', [0xff, 0xfe], '"} 1\n'));
    assert.equal(bad.line, 2);
    assert.match(bad.reason, /invalid UTF-8/);
    assert.match(refusal(bytes('# HELP foo caf', [0xe9], '\nfoo 1\n')).reason, /invalid UTF-8/);
    assert.equal(parse(bytes('# comment caf', [0xe9], '\nfoo 1\n')).samples.length, 1);
    assert.equal(parse(bytes('foo{a="café"} 1\n')).samples[0].labels.a, 'café');
  });
});

describe('histograms and summaries', () => {
  it('refuses a non-numeric le or quantile', () => {
    assert.match(refusal('# TYPE h histogram\nh_bucket{le="big"} 1\n').reason, /float as the value of label 'le' of histogram h, got "big"/);
    assert.match(refusal('# TYPE s summary\ns{quantile="p99"} 1\n').reason, /label 'quantile' of summary s/);
  });

  it('stores le and quantile as Prometheus does ("1" → "1.0")', () => {
    const { samples } = parse('# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_count 2\nh_sum 3\n');
    assert.deepEqual(samples.map((s) => s.labels.le), ['1.0', '+Inf', undefined, undefined]);
  });

  it('refuses negative histogram counts, not a negative sum', () => {
    assert.match(refusal('# TYPE h histogram\nh_bucket{le="1"} -1\n').reason, /negative count -1 for histogram h/);
    assert.match(refusal('# TYPE h histogram\nh_count -3\n').reason, /negative count/);
    assert.equal(parse('# TYPE h histogram\nh_sum -3\n').samples[0].value, -3);
  });

  it('leaves le alone outside histograms', () => {
    assert.equal(parse('# TYPE g gauge\ng{le="any"} 1\n').samples[0].labels.le, 'any');
  });
});

describe('HELP and TYPE', () => {
  it('refuses a second HELP or TYPE for a family', () => {
    assert.match(refusal('# HELP foo a\n# HELP foo b\nfoo 1\n').reason, /second HELP line for metric foo/);
    assert.equal(refusal('# TYPE foo gauge\n# HELP foo a\n# TYPE foo gauge\nfoo 1\n').line, 3);
  });

  it('refuses a TYPE after the family\'s samples', () => {
    assert.match(refusal('foo 1\n# TYPE foo gauge\n').reason, /TYPE line for foo after its sample foo/);
    assert.match(refusal('h_bucket{le="1"} 1\n# TYPE h histogram\n').reason, /after its sample h_bucket/);
  });

  it('refuses unknown types, in the text format\'s spelling', () => {
    assert.match(refusal('# TYPE foo Counter\nfoo 1\n').reason, /invalid metric type "Counter"/);
    assert.match(refusal('# TYPE foo info\nfoo 1\n').reason, /invalid metric type "info"/);
  });
});

describe('OpenMetrics', () => {
  it('reads counters with _total, exemplars and UNIT', () => {
    const e = parse(om('# TYPE req counter', '# UNIT req_seconds seconds', 'req_total{code="200"} 1027 # {trace_id="KOO5S4vxi0o"} 0.67 1712345678.1', 'req_created{code="200"} 1712300000'), 'openmetrics');
    assert.deepEqual(e.samples.map((s) => s.name), ['req_total', 'req_created']);
  });

  it('needs # EOF last, and nothing after it', () => {
    assert.match(refusal('foo 1\n', 'openmetrics').reason, /does not end with # EOF/);
    const after = refusal('foo 1\n# EOF\nbar 2\n', 'openmetrics');
    assert.equal(after.line, 3);
    assert.match(after.reason, /unexpected data after # EOF/);
  });

  it('is strict about spaces, blank lines and comments', () => {
    assert.match(refusal(om('foo {a="1"} 1'), 'openmetrics').reason, /invalid value/);
    assert.match(refusal(om('foo{a="1", b="2"} 1'), 'openmetrics').reason, /expected a label name/);
    assert.match(refusal(om('foo 1 '), 'openmetrics').reason, /timestamp/);
    assert.match(refusal(om('foo 1', '', 'bar 2'), 'openmetrics').reason, /empty line/);
    assert.match(refusal(om('# a comment', 'foo 1'), 'openmetrics').reason, /OpenMetrics has no other comments/);
  });

  it('checks UNIT against the name and TYPE order with the type\'s suffixes', () => {
    assert.match(refusal(om('# UNIT foo_bytes seconds', 'foo_bytes 1'), 'openmetrics').reason, /unit "seconds" is not a suffix/);
    assert.match(refusal(om('foo_total 1', '# TYPE foo counter'), 'openmetrics').reason, /after its sample foo_total/);
  });

  it('is chosen by Content-Type as Prometheus chooses', () => {
    assert.equal(formatOfContentType('application/openmetrics-text; version=1.0.0; charset=utf-8'), 'openmetrics');
    assert.equal(formatOfContentType('text/plain; version=0.0.4'), 'text');
    assert.equal(formatOfContentType(undefined), 'text');
  });
});

describe('a malformed line is named by its number', () => {
  it('counts lines from 1, blank and comment lines included', () => {
    const e = refusal('# HELP a A.\n# TYPE a gauge\n\na 1\na{b="c"} one\n');
    assert.equal(e.line, 5);
    assert.equal(e.message, 'line 5: invalid value "one" for a (a decimal float, Inf, -Inf or NaN)');
  });
});

describe('real exporter pages parse whole', () => {
  for (const page of recordedPages())
    it(page.name, () => {
      const e = parse(page.body, formatOfContentType(page.contentType));
      assert.ok(e.samples.length > 5);
      assert.ok(e.samples.every((s) => typeof s.value === 'number'));
    });
});
