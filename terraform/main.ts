import { App } from 'cdktf';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PIPELINE_FUNCTION_NAMES } from '../application/workflows/pipeline-function.js';
import { BUNDLE_FILE, handlerDirectories } from './bundle.js';
import { OrdersStack } from './orders-stack.js';
import { STAGES } from './stage-config.js';

/** The cdktf app (see cdktf.json): one stack per stage, `orders-<stage>`, from the bundles in dist/handlers. */
const BUNDLES = process.env.HANDLER_BUNDLES ?? 'dist/handlers';
const code = handlerDirectories(BUNDLES);
const missing = PIPELINE_FUNCTION_NAMES.filter((name) => !existsSync(join(code[name], BUNDLE_FILE)));
if (missing.length > 0) {
  throw new Error(`no bundle for ${missing.join(', ')} in ${BUNDLES}: run \`npm run build\` first (or \`npm run synth\`, which does)`);
}

const app = new App();
for (const config of Object.values(STAGES)) {
  new OrdersStack(app, `orders-${config.stage}`, { config, code });
}
app.synth();
