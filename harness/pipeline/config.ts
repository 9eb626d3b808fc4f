import { loadConfig, type PipelineConfig } from '../../application/config/pipeline-config.js';

/**
 * The pipeline configuration the harness' handlers read, from the same environment variables as in
 * Lambda. Failure simulation is on unless the environment says otherwise: the harness exists to try
 * failures out.
 */
export function harnessConfig(
  env: Readonly<Record<string, string | undefined>>,
  backend: 'memory' | 'aws',
  overrides: Readonly<Record<string, string>> = {},
): PipelineConfig {
  return loadConfig({
    ...env,
    ALLOW_FAILURE_SIMULATION: env.ALLOW_FAILURE_SIMULATION ?? 'true',
    ...overrides,
    PIPELINE_BACKEND: backend,
  });
}
