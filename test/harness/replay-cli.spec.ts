import { expect } from 'chai';
import { runReplayCli, type ReplayCliDeps } from '../../harness/cli/replay.js';
import { OrderMother } from '../domain/order-mother.js';
import { useTestHarnesses } from '../e2e/support/harness-fixture.js';

function recorder(invoke: ReplayCliDeps['invoke'] = async () => ({ statusCode: 200, body: { replayed: [], refused: [] } })) {
  const out: string[] = [];
  const err: string[] = [];
  const invocations: { functionName: string; payload: unknown }[] = [];
  const deps: ReplayCliDeps = {
    invoke: async (functionName, payload) => {
      invocations.push({ functionName, payload });
      return invoke(functionName, payload);
    },
    fetch,
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  };
  return { deps, out, err, invocations };
}

describe('Function: runReplayCli (npm run replay)', () => {
  it('invokes the named redrive function with the replay input for keys, or a category and limit', async () => {
    const byKeys = recorder();
    const byCategory = recorder();

    expect(await runReplayCli(['--function', 'orders-prod-redrive', '--keys', 'k1, k2'], byKeys.deps)).to.equal(0);
    expect(await runReplayCli(['--function', 'orders-prod-redrive', '--category', 'permanent', '--limit', '50'], byCategory.deps)).to.equal(
      0,
    );

    expect(byKeys.invocations).to.deep.equal([{ functionName: 'orders-prod-redrive', payload: { action: 'replay', keys: ['k1', 'k2'] } }]);
    expect(byCategory.invocations[0]?.payload).to.deep.equal({ action: 'replay', category: 'PERMANENT', limit: 50 });
    expect(JSON.parse(byKeys.out[0] ?? '')).to.deep.equal({ replayed: [], refused: [] });
  });

  it('asks for the outbox redelivery, forced when told', async () => {
    const run = recorder();
    expect(await runReplayCli(['--function', 'f', '--redeliver', '--force'], run.deps)).to.equal(0);
    expect(run.invocations[0]?.payload).to.deep.equal({ action: 'redeliver-outbox', force: true });
  });

  it('exits 2 with the reason and the usage for a call that names nothing, two targets, or a bad category or limit', async () => {
    for (const argv of [
      ['--function', 'f'],
      ['--function', 'f', '--harness', 'http://127.0.0.1:1', '--keys', 'k'],
      ['--function', 'f', '--category', 'NOPE'],
      ['--function', 'f', '--keys', 'k', '--limit', '0'],
      ['--unknown'],
    ]) {
      const run = recorder();
      expect(await runReplayCli(argv, run.deps), argv.join(' ')).to.equal(2);
      expect(run.err.join('\n')).to.include('usage: npm run replay');
      expect(run.invocations).to.deep.equal([]);
    }
  });

  it('exits 1 when the function reports an error', async () => {
    const run = recorder(async () => ({
      statusCode: 500,
      body: { errorType: 'Pipeline.VALIDATION', errorMessage: 'invalid replay request' },
    }));
    expect(await runReplayCli(['--function', 'f', '--keys', 'k'], run.deps)).to.equal(1);
  });

  describe('against the local harness', function () {
    this.timeout(30_000);
    const harnesses = useTestHarnesses();

    it('replays a parked order through POST /admin/replay and prints the report', async () => {
      const { client, url } = await harnesses.start().then((running) => ({ client: running.client, url: running.harness.url }));
      const key = String(
        (await client.postOrder(OrderMother.valid({ orderId: 'cli-1' }), { 'x-simulate-failure': 'permanent' })).body.idempotencyKey,
      );
      await client.waitForStatus(key, ['PARKED']);
      const run = recorder();

      const code = await runReplayCli(['--harness', url, '--category', 'PERMANENT'], run.deps);

      expect(code).to.equal(0);
      expect(JSON.parse(run.out[0] ?? '')).to.deep.equal({ replayed: [{ key, resumed: false, replay: 1 }], refused: [] });
    });
  });
});
