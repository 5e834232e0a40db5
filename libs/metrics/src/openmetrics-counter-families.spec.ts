import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toOpenMetrics, wantsOpenMetrics } from './openmetrics';

describe('OpenMetrics conversion', () => {
  it('names counter families without _total and keeps the samples', () => {
    const prom = [
      '# HELP nines_probes_total Probes run.',
      '# TYPE nines_probes_total counter',
      'nines_probes_total{kind="http"} 3',
      '',
      '# HELP probe_success Up.',
      '# TYPE probe_success gauge',
      'probe_success{target="a"} 1',
      '',
    ].join('\n');
    const om = toOpenMetrics(prom);
    assert.equal(
      om,
      [
        '# HELP nines_probes Probes run.',
        '# TYPE nines_probes counter',
        'nines_probes_total{kind="http"} 3',
        '# HELP probe_success Up.',
        '# TYPE probe_success gauge',
        'probe_success{target="a"} 1',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('adds _total to samples of a counter exposed without it', () => {
    const om = toOpenMetrics('# TYPE odd counter\nodd 5\n');
    assert.match(om, /^# TYPE odd counter\nodd_total 5\n# EOF\n$/);
  });

  it('is chosen only when the scraper asks for it', () => {
    assert.equal(wantsOpenMetrics('application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5'), true);
    assert.equal(wantsOpenMetrics('text/plain'), false);
    assert.equal(wantsOpenMetrics(undefined), false);
  });
});
