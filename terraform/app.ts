import { App } from 'cdktf';
import { bundleForStages } from './bundle.js';
import { OrdersStack } from './orders-stack.js';
import { operationsWarnings } from './operations-config.js';
import { STAGES, type StageConfig } from './stage-config.js';

export interface SynthOptions {
  /** cdktf's output folder; left out, the CLI's (cdktf.json `output`). */
  readonly outdir?: string;
  /** Where the bundles are written (`<root>/source-mapped`, `<root>/plain`). */
  readonly bundleRoot?: string;
  readonly stages?: readonly StageConfig[];
  /** Where synth's warnings go (a console warning by default). */
  readonly warn?: (message: string) => void;
}

/** Prints every stage's operations warning (e.g. an alarm topic nobody receives) with a clear prefix. */
export function warnAboutStages(stages: readonly StageConfig[], warn: (message: string) => void): void {
  for (const config of stages) {
    for (const warning of operationsWarnings(config.stage, config.operations)) warn(`WARNING (synth): ${warning}`);
  }
}

/**
 * Bundles the handlers from the current source, then synthesizes one stack per stage, `orders-<stage>`.
 * The app command in cdktf.json runs this, so `cdktf synth` and `cdktf deploy` never ship a stale bundle.
 */
export async function synthesizeStages(options: SynthOptions = {}): Promise<App> {
  const stages = options.stages ?? Object.values(STAGES);
  warnAboutStages(stages, options.warn ?? ((message) => console.warn(message)));
  const code = await bundleForStages(
    options.bundleRoot ?? 'dist/handlers',
    stages.map((config) => config.operations.sourceMaps),
  );
  const app = new App(options.outdir === undefined ? {} : { outdir: options.outdir });
  for (const config of stages) {
    const bundles = code.get(config.operations.sourceMaps);
    if (bundles === undefined) throw new Error(`no bundles for stage ${config.stage}`);
    new OrdersStack(app, `orders-${config.stage}`, { config, code: bundles });
  }
  app.synth();
  return app;
}
