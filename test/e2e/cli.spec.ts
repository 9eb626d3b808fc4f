import { expect } from 'chai';
import { parseHarnessArgs } from '../../harness/cli/cli.js';
import { DEFAULT_HARNESS_OPTIONS, orchestratedShareOf, type HarnessOptions } from '../../harness/cli/options.js';

describe('Function: parseHarnessArgs', () => {
  it('returns the defaults when given no option', () => {
    expect(parseHarnessArgs([])).to.deep.equal({ kind: 'run', options: DEFAULT_HARNESS_OPTIONS });
  });

  it('reads every option of the issue, with durations and per-service maps', () => {
    const result = parseHarnessArgs([
      '--port',
      '4000',
      '--backend',
      'aws',
      '--bootstrap',
      '--topology',
      'orchestrated',
      '--faults',
      'dynamodb=0.2,sqs=0.1,eventbridge=0.3',
      '--latency',
      'dynamodb=50ms',
      '--crash-after',
      'process=0.05',
      '--seed',
      '42',
      '--redrive-every',
      '30s',
      '--batch-size',
      '10',
      '--batching-window=1s',
      '--max-concurrency',
      '2',
      '--pretty',
    ]);
    expect(result.kind).to.equal('run');
    if (result.kind !== 'run') return;
    expect(result.options).to.deep.include({
      port: 4000,
      backend: 'aws',
      bootstrap: true,
      topology: 'orchestrated',
      seed: 42,
      redriveEveryMs: 30_000,
      batchSize: 10,
      batchingWindowMs: 1_000,
      maxConcurrency: 2,
      pretty: true,
    });
    expect(result.options.faults).to.deep.equal({ dynamodb: 0.2, sqs: 0.1, eventbridge: 0.3 });
    expect(result.options.latencyMs).to.deep.equal({ dynamodb: 50 });
    expect(result.options.crashAfter).to.deep.equal({ process: 0.05 });
  });

  it('reports every problem at once, with the limits Lambda and SQS enforce', () => {
    const result = parseHarnessArgs([
      '--faults',
      'dynamo=0.2,sqs=2',
      '--latency',
      'sqs=fast',
      '--batch-size',
      '50',
      '--max-concurrency',
      '1',
      '--visibility-timeout',
      '10s',
      '--function-timeout',
      '20s',
      '--topology',
      'mesh',
    ]);
    expect(result.kind).to.equal('invalid');
    if (result.kind !== 'invalid') return;
    expect(result.problems.join('\n'))
      .to.include('unknown key "dynamo"')
      .and.to.include('sqs: "2" is not a probability')
      .and.to.include('"fast" is not a duration')
      .and.to.include('--batch-size above 10 needs --batching-window of at least 1s')
      .and.to.include('--max-concurrency must be 2–1000')
      .and.to.include('--visibility-timeout must be at least --function-timeout')
      .and.to.include('--topology must be one of composed, orchestrated, both');
  });

  it('reads --drain-timeout as a duration, 0 meaning no drain, and refuses what is not one', () => {
    const drainTimeout = (value: string): number | undefined => {
      const result = parseHarnessArgs(['--drain-timeout', value]);
      return result.kind === 'run' ? result.options.drainTimeoutMs : undefined;
    };
    expect(DEFAULT_HARNESS_OPTIONS.drainTimeoutMs, 'Ctrl-C drains by default').to.equal(10_000);
    expect(drainTimeout('2.5s')).to.equal(2_500);
    expect(drainTimeout('0')).to.equal(0);
    expect(parseHarnessArgs(['--drain-timeout', 'soon'])).to.deep.equal({
      kind: 'invalid',
      problems: ['--drain-timeout: "soon" is not a duration (use e.g. 50ms, 2s, 1m)'],
    });
  });

  describe('Option: --topology both and --orchestrated-share', () => {
    const run = (argv: readonly string[]): Pick<HarnessOptions, 'topology' | 'orchestratedSharePercent'> | undefined => {
      const result = parseHarnessArgs(argv);
      return result.kind === 'run'
        ? { topology: result.options.topology, orchestratedSharePercent: result.options.orchestratedSharePercent }
        : undefined;
    };

    it("sends migration phase 2's 10 % to the orchestrated topology unless told otherwise", () => {
      expect(run(['--topology', 'both'])).to.deep.equal({ topology: 'both', orchestratedSharePercent: 10 });
    });

    it('reads the share as a whole percentage from 0 to 100', () => {
      expect(run(['--topology', 'both', '--orchestrated-share', '50'])).to.deep.equal({ topology: 'both', orchestratedSharePercent: 50 });
      expect(run(['--topology', 'both', '--orchestrated-share=0'])).to.deep.equal({ topology: 'both', orchestratedSharePercent: 0 });
      expect(run(['--orchestrated-share', '100', '--topology', 'both'])).to.deep.equal({ topology: 'both', orchestratedSharePercent: 100 });
    });

    it('refuses a share outside 0–100 or not whole', () => {
      for (const share of ['101', '-1']) {
        expect(parseHarnessArgs(['--topology', 'both', `--orchestrated-share=${share}`]), share).to.deep.equal({
          kind: 'invalid',
          problems: ['--orchestrated-share must be a whole percentage, 0–100'],
        });
      }
      expect(parseHarnessArgs(['--topology', 'both', '--orchestrated-share', '12.5'])).to.deep.equal({
        kind: 'invalid',
        problems: ['--orchestrated-share must be an integer (got "12.5")'],
      });
    });

    it('refuses the share with one topology, whose own queue carries every order', () => {
      const problem = "--orchestrated-share only applies to --topology both (one topology's queue carries every order)";
      expect(parseHarnessArgs(['--orchestrated-share', '50'])).to.deep.equal({ kind: 'invalid', problems: [problem] });
      expect(parseHarnessArgs(['--topology', 'orchestrated', '--orchestrated-share', '0'])).to.deep.equal({
        kind: 'invalid',
        problems: [problem],
      });
    });

    it('leaves the share out with one topology, and the pipeline then sends nothing to an orchestrated queue', () => {
      for (const topology of ['composed', 'orchestrated'] as const) {
        const options = run(['--topology', topology]);
        expect(options, topology).to.deep.equal({ topology, orchestratedSharePercent: undefined });
        expect(orchestratedShareOf(options ?? DEFAULT_HARNESS_OPTIONS), topology).to.equal(0);
      }
      expect(
        orchestratedShareOf({ topology: 'both', orchestratedSharePercent: undefined }),
        'a harness started in code gets the default too',
      ).to.equal(10);
    });
  });

  it('refuses an unknown flag and answers --help', () => {
    expect(parseHarnessArgs(['--colour']).kind).to.equal('invalid');
    expect(parseHarnessArgs(['--help'])).to.deep.equal({ kind: 'help' });
  });
});
