import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CLOSED_AWS_ENV } from '../support/closed-aws-env.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Imports a handler module in a fresh Node process, as the Lambda runtime does at INIT, and reports what happened. */
async function importInFreshProcess(handler: string, env: Record<string, string>): Promise<string> {
  const script = `
    const root = await import('./handlers/composition/function-container.ts');
    try {
      await import('./handlers/${handler}.ts');
      console.log(JSON.stringify({ imported: true, built: root.containerBuilt() }));
    } catch (error) {
      console.log(JSON.stringify({ imported: false, error: String(error) }));
    }`;
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(AWS_|PIPELINE_|ORDER_|DEAD_|IDEMPOTENCY_|EVENT_)/.test(name)),
  );
  // Node hands NODE_V8_COVERAGE to every child unless it is set: an empty value turns coverage off there.
  // c8 cannot merge a child's coverage of the same files loaded through another transform, and would
  // under-report the domain.
  const childEnv = { ...clean, ...env, NODE_V8_COVERAGE: '' };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: childEnv });
  return stdout.trim().split('\n').at(-1) ?? '';
}

describe('Handlers at INIT', function () {
  this.timeout(30_000);

  it('builds the container while the module loads inside Lambda, so configuration and clients are ready before the first event', async () => {
    const output = await importInFreshProcess('worker', { AWS_LAMBDA_FUNCTION_NAME: 'orders-dev-worker', ...CLOSED_AWS_ENV });
    expect(JSON.parse(output)).to.deep.equal({ imported: true, built: true });
  });

  it('refuses the memory backend inside Lambda: a deployed function carries no in-memory fake', async () => {
    const output = await importInFreshProcess('validate', { AWS_LAMBDA_FUNCTION_NAME: 'orders-dev-validate', PIPELINE_BACKEND: 'memory' });
    const result = JSON.parse(output) as { imported: boolean; error: string };
    expect(result.imported).to.equal(false);
    expect(result.error).to.include('ConfigurationError').and.include('PIPELINE_BACKEND must be aws');
  });

  it('fails INIT with every configuration problem named, instead of failing each request', async () => {
    const output = await importInFreshProcess('ingest', { AWS_LAMBDA_FUNCTION_NAME: 'orders-dev-ingest' });
    const result = JSON.parse(output) as { imported: boolean; error: string };
    expect(result.imported).to.equal(false);
    expect(result.error)
      .to.include('ConfigurationError')
      .and.include('ORDER_QUEUE_URL is required')
      .and.include('EVENT_BUS_NAME is required');
  });

  it('builds nothing outside Lambda: tests, tools and the harness import handler modules freely', async () => {
    const output = await importInFreshProcess('worker', {});
    expect(JSON.parse(output)).to.deep.equal({ imported: true, built: false });
  });
});
