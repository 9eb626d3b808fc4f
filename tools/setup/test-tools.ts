import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Where the suite finds the two programs it runs beside Node: moto's server (Python) and a headless
 * Chromium. `npm test` first runs tools/setup/prepare-test-tools.ts, which finds them on the machine or
 * installs them, pinned, into the project (nothing system-wide, no root); the specs then look them up here.
 */

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const MOTO_VERSION = '5.2.1';
export const MOTO_REQUIREMENT = `moto[server]==${MOTO_VERSION}`;
/** The project's own virtual environment for moto, made with the machine's python3 when that one lacks moto. */
export const MOTO_VENV = join(PROJECT_ROOT, '.venv');

/** The npm package that ships a headless Chromium inside itself (brotli-compressed), pinned in package.json. */
export const CHROMIUM_PACKAGE = '@sparticuz/chromium';
/** Where that Chromium is unpacked once: per version, inside the project, kept across runs and `npm ci`. */
export const CHROMIUM_CACHE = join(PROJECT_ROOT, '.tools', 'chromium');
/** A browser the machine may have, tried first. */
export const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const SETUP_HINT = 'run `npm run test:setup` (`npm test` runs it first)';

/**
 * The Python that runs moto's server: $MOTO_PYTHON when set; else the project's .venv when there is
 * one (test:setup made it because the machine's python3 lacked moto); else the python3 on the PATH.
 */
export function motoPython(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env.MOTO_PYTHON;
  if (chosen !== undefined && chosen !== '') return chosen;
  const venvPython = join(MOTO_VENV, 'bin', 'python3');
  return existsSync(venvPython) ? venvPython : 'python3';
}

/**
 * The Chromium the browser specs launch: $CHROMIUM_PATH when set; else the machine's own (unless
 * $TEST_IGNORE_SYSTEM_CHROMIUM=1, which makes a machine look fresh); else the one test:setup unpacked.
 * Undefined when there is none: the caller fails, saying how to get one (never a silent skip).
 */
export function chromiumExecutable(
  env: NodeJS.ProcessEnv = process.env,
  unpacked: string | undefined = unpackedChromium(),
): string | undefined {
  const chosen = env.CHROMIUM_PATH;
  if (chosen !== undefined && chosen !== '') return chosen;
  if (env.TEST_IGNORE_SYSTEM_CHROMIUM !== '1') {
    const system = SYSTEM_CHROMIUMS.find(isExecutable);
    if (system !== undefined) return system;
  }
  return unpacked !== undefined && isExecutable(unpacked) ? unpacked : undefined;
}

/** The path test:setup unpacks the pinned package's Chromium to (it may not be there yet). */
export function unpackedChromium(): string | undefined {
  const version = chromiumPackageVersion();
  return version === undefined ? undefined : join(CHROMIUM_CACHE, version, 'chromium');
}

/** The installed version of the Chromium package, read from its package.json (its exports hide it from import). */
export function chromiumPackageVersion(): string | undefined {
  const manifest = join(PROJECT_ROOT, 'node_modules', ...CHROMIUM_PACKAGE.split('/'), 'package.json');
  if (!existsSync(manifest)) return undefined;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
