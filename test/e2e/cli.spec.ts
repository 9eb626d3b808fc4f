import { expect } from 'chai';
import { parseHarnessArgs } from '../../handlers/local/cli.js';
import { DEFAULT_HARNESS_OPTIONS } from '../../handlers/local/harness-options.js';

describe('Function: parseHarnessArgs', () => {
  it('returns the defaults when given no option', () => {
    expect(parseHarnessArgs([])).to.deep.equal({ kind: 'run', options: DEFAULT_HARNESS_OPTIONS });
  });

  it('reads every option of the issue, with durations and per-service maps', () => {
    const result = parseHarnessArgs([
      '--port', '4000', '--backend', 'aws', '--bootstrap', '--topology', 'orchestrated',
      '--faults', 'dynamodb=0.2,sqs=0.1,eventbridge=0.3', '--latency', 'dynamodb=50ms', '--crash-after', 'process=0.05',
      '--seed', '42', '--redrive-every', '30s', '--batch-size', '10', '--batching-window=1s', '--max-concurrency', '2', '--pretty',
    ]);
    expect(result.kind).to.equal('run');
    if (result.kind !== 'run') return;
    expect(result.options).to.deep.include({
      port: 4000, backend: 'aws', bootstrap: true, topology: 'orchestrated', seed: 42, redriveEveryMs: 30_000,
      batchSize: 10, batchingWindowMs: 1_000, maxConcurrency: 2, pretty: true,
    });
    expect(result.options.faults).to.deep.equal({ dynamodb: 0.2, sqs: 0.1, eventbridge: 0.3 });
    expect(result.options.latencyMs).to.deep.equal({ dynamodb: 50 });
    expect(result.options.crashAfter).to.deep.equal({ process: 0.05 });
  });

  it('reports every problem at once, with the limits Lambda and SQS enforce', () => {
    const result = parseHarnessArgs([
      '--faults', 'dynamo=0.2,sqs=2', '--latency', 'sqs=fast', '--batch-size', '50', '--max-concurrency', '1',
      '--visibility-timeout', '10s', '--function-timeout', '20s', '--topology', 'mesh',
    ]);
    expect(result.kind).to.equal('invalid');
    if (result.kind !== 'invalid') return;
    expect(result.problems.join('\n')).to.include('unknown key "dynamo"')
      .and.to.include('sqs: "2" is not a probability')
      .and.to.include('"fast" is not a duration')
      .and.to.include('--batch-size above 10 needs --batching-window of at least 1s')
      .and.to.include('--max-concurrency must be 2–1000')
      .and.to.include('--visibility-timeout must be at least --function-timeout')
      .and.to.include('--topology must be one of composed, orchestrated');
  });

  it('reads --drain-timeout as a duration, 0 meaning no drain, and refuses what is not one', () => {
    const drainTimeout = (value: string): number | undefined => {
      const result = parseHarnessArgs(['--drain-timeout', value]);
      return result.kind === 'run' ? result.options.drainTimeoutMs : undefined;
    };
    expect(DEFAULT_HARNESS_OPTIONS.drainTimeoutMs, 'Ctrl-C drains by default').to.equal(10_000);
    expect(drainTimeout('2.5s')).to.equal(2_500);
    expect(drainTimeout('0')).to.equal(0);
    expect(parseHarnessArgs(['--drain-timeout', 'soon'])).to.deep.equal({ kind: 'invalid', problems: ['--drain-timeout: "soon" is not a duration (use e.g. 50ms, 2s, 1m)'] });
  });

  it('refuses an unknown flag and answers --help', () => {
    expect(parseHarnessArgs(['--colour']).kind).to.equal('invalid');
    expect(parseHarnessArgs(['--help'])).to.deep.equal({ kind: 'help' });
  });
});
