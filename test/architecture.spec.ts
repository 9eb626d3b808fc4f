import { expect } from 'chai';
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The layer rules live in .dependency-cruiser.cjs and run in `npm run lint` on the repository, where
 * they can only ever be seen passing. This spec runs the same configuration on a small tree that
 * breaks each rule once, so a rule that stopped biting (a typo in a path, a rule deleted, a resolver
 * that no longer sees an import) fails here instead of passing silently.
 * (The domain's other purity rule, no clock and no randomness, is an ESLint rule on domain/: see eslint.config.mjs.)
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as Required<
  Pick<IConfiguration, 'forbidden' | 'options'>
>;

/** Named apart, so that a search for cdktf imports does not take this fixture for one. */
const CDKTF = 'cdktf';

/** One file per broken rule (and files that break none), as `path: source`. */
const TREE: Readonly<Record<string, string>> = {
  'domain/order.ts': 'export const order = 1;\n',
  'domain/reads-files.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
  'domain/uses-inversify.ts': "import type { Container } from 'inversify';\nexport type C = Container;\n",
  'domain/cycle-a.ts': "import { b } from './cycle-b.js';\nexport const a = (): unknown => b;\n",
  'domain/cycle-b.ts': "import { a } from './cycle-a.js';\nexport const b = (): unknown => a;\n",
  'application/ports/clock.ts':
    "import { order } from '../../domain/order.js';\nexport interface Clock { now(): number }\nexport const o = order;\n",
  'application/use-cases/work.ts': "import type { Clock } from '../ports/clock.js';\nexport type W = Clock;\n",
  'application/uses-adapter.ts': "import { adapter } from '../adapters/memory/clock.js';\nexport const a = adapter;\n",
  'application/uses-sdk.ts': "import { SQSClient } from '@aws-sdk/client-sqs';\nexport const c = SQSClient;\n",
  'adapters/memory/clock.ts':
    "import type { Clock } from '../../application/ports/clock.js';\nexport const adapter: Clock = { now: () => 0 };\n",
  'adapters/memory/uses-use-case.ts': "import type { W } from '../../application/use-cases/work.js';\nexport type X = W;\n",
  'adapters/memory/uses-cdktf.ts': `import { App } from '${CDKTF}';\nexport const app = App;\n`,
  'adapters/memory/uses-dev-dependency.ts': "import fc from 'fast-check';\nexport const f = fc;\n",
  'handlers/worker.ts': "import { adapter } from '../adapters/memory/clock.js';\nexport const handler = adapter;\n",
  'handlers/uses-sdk.ts': "import { SQSClient } from '@aws-sdk/client-sqs';\nexport const c = SQSClient;\n",
  'handlers/uses-harness.ts': "import { h } from '../harness/main.js';\nexport const x = h;\n",
  'terraform/uses-test.ts': "import { t } from '../test/support/tool.js';\nexport const x = t;\n",
  'harness/main.ts': "import { handler } from '../handlers/worker.js';\nexport const h = handler;\n",
  'harness/uses-chaos.ts': "import { c } from '../chaos/main.js';\nexport const x = c;\n",
  'chaos/main.ts': "import { h } from '../harness/main.js';\nexport const c = h;\n",
  'test/support/tool.ts': "import { h } from '../../harness/main.js';\nexport const t = h;\n",
  'test/support/cdktf-testing.ts': `export { Testing } from '${CDKTF}';\n`,
  'test/uses-cdktf.ts': `import { Testing } from '${CDKTF}';\nexport const t = Testing;\n`,
  'tools/moto/uses-test.ts': "import { t } from '../../test/support/tool.js';\nexport const x = t;\n",
  'bench/unresolved.ts': "import { nothing } from './nowhere.js';\nexport const n = nothing;\n",
};

/** `rule: from → to` for every violation, `to` cut to the package name for node_modules. */
function violationsOf(result: ICruiseResult): string[] {
  const shortened = (path: string): string => path.replace(/^node_modules\/((?:@[^/]+\/)?[^/]+)\/.*$/, '$1');
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${shortened(v.to)}`).sort();
}

describe('Architecture: the dependency rules (.dependency-cruiser.cjs)', function () {
  this.timeout(60_000);
  let dir: string;
  let violations: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'layers-'));
    for (const [path, source] of Object.entries(TREE)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), source);
    }
    // The packages resolve from the repository's node_modules (seen through the link, as if installed here); its package.json tells runtime from dev dependencies.
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    symlinkSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    const folders = [...new Set(Object.keys(TREE).map((path) => path.slice(0, path.indexOf('/'))))];
    const cwd = process.cwd();
    process.chdir(dir); // the rules' paths are relative to where the cruise runs, as in `npm run lint:deps`
    try {
      const tsConfig = extractTSConfig(join(dir, 'tsconfig.json'));
      const { output } = await cruise(
        folders,
        { ...config.options, preserveSymlinks: true, ruleSet: { forbidden: config.forbidden }, validate: true },
        {},
        { tsConfig },
      );
      violations = violationsOf(output as ICruiseResult);
    } finally {
      process.chdir(cwd);
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('catches each broken rule, naming the file and what it imports, and nothing else', () => {
    expect(violations).to.deep.equal(
      [
        'adapters-implement-ports: adapters/memory/uses-use-case.ts → application/use-cases/work.ts',
        'application-no-aws-sdk: application/uses-sdk.ts → @aws-sdk/client-sqs',
        'application-points-inward: application/uses-adapter.ts → adapters/memory/clock.ts',
        'cdktf-stays-in-terraform: adapters/memory/uses-cdktf.ts → cdktf',
        'cdktf-stays-in-terraform: test/uses-cdktf.ts → cdktf',
        'deployed-code-imports-no-tools: handlers/uses-harness.ts → harness/main.ts',
        'deployed-code-imports-no-tools: terraform/uses-test.ts → test/support/tool.ts',
        'deployed-code-uses-no-dev-dependency: adapters/memory/uses-cdktf.ts → cdktf',
        'deployed-code-uses-no-dev-dependency: adapters/memory/uses-dev-dependency.ts → fast-check',
        'domain-is-pure: domain/reads-files.ts → fs',
        'domain-is-pure: domain/uses-inversify.ts → inversify',
        'handlers-make-no-sdk-calls: handlers/uses-sdk.ts → @aws-sdk/client-sqs',
        'harness-imports-no-chaos: harness/uses-chaos.ts → chaos/main.ts',
        'tools-import-none-of-their-users: tools/moto/uses-test.ts → test/support/tool.ts',
        'no-circular: domain/cycle-a.ts → domain/cycle-b.ts',
        'not-to-unresolvable: bench/unresolved.ts → ./nowhere.js',
      ].sort(),
    );
  });

  it('has a test here for every rule it holds', () => {
    const tested = new Set(violations.map((violation) => violation.slice(0, violation.indexOf(':'))));
    expect(config.forbidden.map((rule) => rule.name)).to.have.members([...tested]);
  });
});
