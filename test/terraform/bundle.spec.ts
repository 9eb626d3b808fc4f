import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PIPELINE_FUNCTION_NAMES } from '../../application/workflows/pipeline-function.js';
import { BUNDLE_FILE, bundleHandlers, handlerDirectories } from '../../terraform/bundle.js';

// Inside the project, so that the entry's imports resolve from its node_modules.
const ARTIFACTS = resolve('test-artifacts');

const ENTRY = `
import 'reflect-metadata';
import { Container, injectable } from 'inversify';
import { SQSClient } from '@aws-sdk/client-sqs';

class OrderRejectedError extends Error {
  constructor() { super('rejected'); this.name = new.target.name; }
}

@injectable()
class Greeter { greet(): string { return 'hello'; } }

export const handler = async (event: { fail?: boolean }) => {
  if (event.fail) throw new OrderRejectedError();
  const container = new Container();
  container.bind(Greeter).toSelf();
  return { greeting: container.get(Greeter).greet(), sdk: typeof SQSClient, reflect: typeof Reflect.getMetadata };
};
`;

const CREDENTIALS_ENTRY = `
import { SQSClient } from '@aws-sdk/client-sqs';

export const handler = async () => {
  const { accessKeyId, secretAccessKey, sessionToken } = await new SQSClient({ region: 'eu-west-1' }).config.credentials();
  return { accessKeyId, secretAccessKey, sessionToken };
};
`;

describe('Function: bundleHandlers', function () {
  this.timeout(60_000);
  let root: string;

  before(() => {
    mkdirSync(ARTIFACTS, { recursive: true });
    root = mkdtempSync(join(ARTIFACTS, 'bundle-'));
    mkdirSync(join(root, 'handlers'));
    writeFileSync(join(root, 'handlers', 'validate.ts'), ENTRY);
    writeFileSync(join(root, 'handlers', 'publish.ts'), CREDENTIALS_ENTRY);
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  it('writes a minified ESM bundle with its source map that runs inversify, reflect-metadata and the AWS SDK', async () => {
    // Act
    const [result] = await bundleHandlers(join(root, 'dist'), { entryDirectory: join(root, 'handlers'), functions: ['validate'] });
    // Assess
    const file = join(root, 'dist', 'validate', BUNDLE_FILE);
    expect(result).to.deep.include({ name: 'validate', directory: join(root, 'dist', 'validate') });
    expect(existsSync(`${file}.map`)).to.equal(true);
    const code = readFileSync(file, 'utf8');
    expect(code, 'the SDK is bundled, not imported from the runtime').to.not.match(/from\s*"@aws-sdk\//);
    expect(code, 'minified: locals renamed').to.not.contain('container.bind(');
    const bundled = (await import(pathToFileURL(file).href)) as { handler: (event: { fail?: boolean }) => Promise<unknown> };
    expect(await bundled.handler({})).to.deep.equal({ greeting: 'hello', sdk: 'function', reflect: 'function' });
  });

  it('keeps class names through minification, so errors keep the name the classifier and logs rely on', async () => {
    const file = join(root, 'dist', 'validate', BUNDLE_FILE);
    const bundled = (await import(pathToFileURL(file).href)) as { handler: (event: { fail?: boolean }) => Promise<unknown> };
    try {
      await bundled.handler({ fail: true });
      expect.fail('the handler should have thrown');
    } catch (error) {
      expect((error as Error).name).to.equal('OrderRejectedError');
    }
  });
});

describe('Bundled credentials (lambdaCredentialsPlugin)', function () {
  this.timeout(60_000);
  let root: string;
  const saved = { ...process.env };

  before(() => {
    mkdirSync(ARTIFACTS, { recursive: true });
    root = mkdtempSync(join(ARTIFACTS, 'credentials-'));
    mkdirSync(join(root, 'handlers'));
    writeFileSync(join(root, 'handlers', 'publish.ts'), CREDENTIALS_ENTRY);
  });

  after(() => {
    rmSync(root, { recursive: true, force: true });
    process.env = saved;
  });

  it("signs with the credentials Lambda puts in the environment, and carries no other link of the SDK's chain", async () => {
    // Prepare
    process.env = {
      ...saved,
      AWS_ACCESS_KEY_ID: 'AKIDBUNDLE',
      AWS_SECRET_ACCESS_KEY: 'bundle-secret',
      AWS_SESSION_TOKEN: 'bundle-session',
      AWS_PROFILE: 'not-read',
    };
    // Act
    const [result] = await bundleHandlers(join(root, 'dist'), {
      entryDirectory: join(root, 'handlers'),
      functions: ['publish'],
      sourceMaps: false,
    });
    const bundled = (await import(pathToFileURL(join(root, 'dist', 'publish', BUNDLE_FILE)).href)) as { handler: () => Promise<unknown> };
    // Assess
    expect(await bundled.handler()).to.deep.equal({
      accessKeyId: 'AKIDBUNDLE',
      secretAccessKey: 'bundle-secret',
      sessionToken: 'bundle-session',
    });
    const chain = result!.inputs.filter((path) =>
      /@aws-sdk\/(credential-provider-(node|ini|sso|process|web-identity|login)|nested-clients|token-providers)\//.test(path),
    );
    expect(chain).to.deep.equal([]);
    expect(result!.inputs).to.include('adapters/aws/lambda-credentials.ts');
  });
});

describe('Function: handlerDirectories', () => {
  it('gives every function its own folder under the output directory', () => {
    const directories = handlerDirectories('dist/handlers');
    expect(directories.worker).to.equal(resolve('dist/handlers/worker'));
    expect(directories['orchestrated-ingest']).to.equal(resolve('dist/handlers/orchestrated-ingest'));
    expect(new Set(Object.values(directories)).size).to.equal(PIPELINE_FUNCTION_NAMES.length);
  });
});
