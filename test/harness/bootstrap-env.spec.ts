import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBootstrapped, saveBootstrapped } from '../../harness/cli/bootstrap-env.js';

describe('Module: bootstrap-env (restarting the harness after --bootstrap)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bootstrap-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the variables --bootstrap created, and a restart reads back those the environment does not set', () => {
    // Prepare
    const path = join(dir, '.env.harness');
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back as it was, never called detached
    const stderr = process.stderr.write;
    process.stderr.write = () => true;
    try {
      saveBootstrapped(
        { ORDER_QUEUE_URL: 'http://127.0.0.1:5000/000000000000/orders-local', IDEMPOTENCY_TABLE_NAME: 'orders-local-idempotency' },
        path,
      );
    } finally {
      process.stderr.write = stderr;
    }
    const env: Record<string, string | undefined> = { IDEMPOTENCY_TABLE_NAME: 'mine' };

    // Act
    loadBootstrapped(env, path);

    // Assess
    expect(readFileSync(path, 'utf8')).to.include('ORDER_QUEUE_URL=http://127.0.0.1:5000/000000000000/orders-local');
    expect(env).to.deep.equal({ ORDER_QUEUE_URL: 'http://127.0.0.1:5000/000000000000/orders-local', IDEMPOTENCY_TABLE_NAME: 'mine' });
  });

  it('changes nothing when there is no file', () => {
    const env: Record<string, string | undefined> = {};

    loadBootstrapped(env, join(dir, 'absent'));

    expect(env).to.deep.equal({});
  });
});
