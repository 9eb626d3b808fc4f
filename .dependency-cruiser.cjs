/*
 * The layer rules, checked by dependency-cruiser on what every TypeScript file imports (type-only
 * imports included) in `npm run lint`:
 *
 *   handlers/ ──▶ application/ ──▶ domain/
 *                      ▲
 *   adapters/ ─────────┘ (ports, workflows' definitions and domain types; never a use case)
 *   terraform/ ──▶ domain/, application/ (the same rules the code runs by)
 *
 * harness/, test/, bench/ and chaos/ may import the deployed code; nothing deployed imports them.
 * tools/ (moto, fault injection, call counting, emulated resources) serves those four and imports none of them.
 * What this file cannot say is checked by test/architecture.spec.ts.
 */

/** The folders whose code is bundled into a Lambda or synthesized into a stack. */
const DEPLOYED = '^(domain|application|adapters|handlers|terraform)/';
/** Development and test tools: the local harness, the specs, the benchmarks, the fault scenarios, and tools/ (moto, fault injection, call counting, emulated resources) they share. */
const TOOLS = '^(harness|test|bench|chaos|tools)/';
const AWS_SDK = '^node_modules/(@aws-sdk|@smithy)/';
const CDKTF = '^node_modules/(cdktf|constructs|@cdktf/provider-aws)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ is pure TypeScript: it imports nothing outside domain/ (no package, no node: module, no other layer).',
      severity: 'error',
      from: { path: '^domain/' },
      to: { pathNot: '^domain/' },
    },
    {
      name: 'application-points-inward',
      comment: "application/ (use cases and ports) imports only application/ and domain/ among the project's folders.",
      severity: 'error',
      from: { path: '^application/' },
      to: { path: '^(adapters|handlers|terraform|harness|test|bench|chaos)/' },
    },
    {
      name: 'application-no-aws-sdk',
      comment: "application/ speaks through ports: the AWS SDK is an adapter's business.",
      severity: 'error',
      from: { path: '^application/' },
      to: { path: AWS_SDK },
    },
    {
      name: 'adapters-implement-ports',
      comment: 'adapters/ implement application ports with domain types; they never reach for a use case, a handler or the stacks.',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^(application/use-cases|handlers|terraform)/' },
    },
    {
      name: 'handlers-make-no-sdk-calls',
      comment: 'handlers/ parse the event, call a use case and shape the answer: SDK calls belong in adapters/.',
      severity: 'error',
      from: { path: '^handlers/' },
      to: { path: AWS_SDK },
    },
    {
      name: 'deployed-code-imports-no-tools',
      comment: 'Nothing deployed imports the harness, the specs, the benchmarks, the fault scenarios or the tools they share.',
      severity: 'error',
      from: { path: DEPLOYED },
      to: { path: TOOLS },
    },
    {
      name: 'tools-import-none-of-their-users',
      comment: 'tools/ is shared by the harness, the specs, the benchmarks and the fault scenarios: it imports none of them.',
      severity: 'error',
      from: { path: '^tools/' },
      to: { path: '^(harness|test|bench|chaos)/' },
    },
    {
      name: 'harness-imports-no-chaos',
      comment: 'The fault scenarios drive the harness from outside, as a separate process.',
      severity: 'error',
      from: { path: '^harness/' },
      to: { path: '^chaos/' },
    },
    {
      name: 'cdktf-stays-in-terraform',
      comment:
        'Every cdktf import stays in terraform/ (the specs reach it through test/support/cdktf-testing.ts, the one exception), so moving off cdktf is a change in one place.',
      severity: 'error',
      from: {
        path: '^(domain|application|adapters|handlers|harness|test|bench|chaos|tools)/',
        pathNot: '^test/support/cdktf-testing\\.ts$',
      },
      to: { path: CDKTF },
    },
    {
      name: 'deployed-code-uses-no-dev-dependency',
      comment: 'What runs in a Lambda uses runtime dependencies only (type-only imports of @types packages aside).',
      severity: 'error',
      from: { path: '^(domain|application|adapters|handlers)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-circular',
      comment: 'No import cycle: a cycle makes load order matter and hides which module owns what.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a rule on a path the cruiser could not resolve would check nothing).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|build|cdktf\\.out|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
