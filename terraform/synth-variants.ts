import { App } from 'cdktf';
import { join } from 'node:path';
import { bundleForStages } from './bundle.js';
import { OrdersStack } from './orders-stack.js';
import { STAGES, type StageConfig } from './stage-config.js';

/**
 * The configurations a stage passes through during a migration, synthesized for the scan only (never
 * deployed, never in cdktf.json): each topology, and the draining step that deprecates the composed one.
 * The shipped stages cover only two of them, and checkov must pass on every shape a user will deploy.
 */
export function migrationVariants(base: StageConfig): Readonly<Record<string, StageConfig>> {
  return {
    composed: { ...base, topology: 'composed', migration: { phase: 1 } },
    'both-phase-2': { ...base, topology: 'both', migration: { phase: 2 } },
    orchestrated: { ...base, topology: 'orchestrated', migration: { phase: 4 } },
    'orchestrated-draining': { ...base, topology: 'orchestrated', migration: { phase: 4, drainOrchestratedQueue: true } },
  };
}

const dev = STAGES.dev;
if (dev === undefined) throw new Error('no dev stage to build the variants from');
const outdir = process.argv[2] ?? join('cdktf.out', 'variants');
const app = new App({ outdir });
const variants = Object.entries(migrationVariants(dev));
const code = await bundleForStages(
  process.env.HANDLER_BUNDLES ?? 'dist/handlers',
  variants.map(([, config]) => config.operations.sourceMaps),
);
for (const [name, config] of variants) {
  const bundles = code.get(config.operations.sourceMaps);
  if (bundles === undefined) throw new Error(`no bundles for variant ${name}`);
  new OrdersStack(app, `variant-${name}`, { config: { ...config, namePrefix: `orders-${name}`.slice(0, 31) }, code: bundles });
}
app.synth();
