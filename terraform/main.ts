import { synthesizeStages } from './app.js';

/** The cdktf app (see cdktf.json): bundles the handlers from the current source, then one stack per stage. */
await synthesizeStages({ bundleRoot: process.env.HANDLER_BUNDLES ?? 'dist/handlers' });
