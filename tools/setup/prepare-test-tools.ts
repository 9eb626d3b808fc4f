/**
 * `npm run test:setup`, which `npm test` runs first: makes sure what the suite runs beside Node is there,
 * on a fresh machine too, without root, and says in one line per tool what it found or installed:
 *
 * - Node itself: the project's floor is Node 22 (fails, saying how to get it, on an older one);
 * - moto's server, pinned: the machine's python3 when it has that moto, else the project's `.venv/`
 *   (made with `python3 -m venv`, moto installed with pip from PyPI, once);
 * - a headless Chromium: the machine's, else the one the pinned npm package ships inside itself,
 *   unpacked once into `.tools/chromium/<version>/`.
 *
 * Everything it installs stays in the project folder (both are git-ignored) and is reused by later runs.
 * A failure exits non-zero with what to do: the browser and moto specs are never skipped for want of a tool.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import {
  CHROMIUM_PACKAGE,
  chromiumExecutable,
  chromiumPackageVersion,
  isExecutable,
  MOTO_REQUIREMENT,
  MOTO_VENV,
  MOTO_VERSION,
  PROJECT_ROOT,
  unpackedChromium,
} from './test-tools.js';

const NODE_FLOOR = 22;

class SetupError extends Error {
  override readonly name = 'SetupError';
}

function say(line: string): void {
  console.log(`test:setup: ${line}`);
}

function shown(path: string): string {
  const inside = relative(PROJECT_ROOT, path);
  return inside.startsWith('..') ? path : inside;
}

function checkNode(version: string = process.versions.node): string {
  const major = Number(version.split('.')[0]);
  if (major < NODE_FLOOR) {
    throw new SetupError(
      `Node ${version} is older than the project's floor, Node ${NODE_FLOOR}. Without root, from the npm registry:\n` +
        `  npm install --no-save --prefix .tools/node${NODE_FLOOR} node@${NODE_FLOOR} && export PATH="$PWD/.tools/node${NODE_FLOOR}/node_modules/node/bin:$PATH"`,
    );
  }
  return `node ${version} (floor ${NODE_FLOOR})`;
}

function hasMoto(python: string): boolean {
  // moto.server needs the [server] extras (flask, …): importing it checks they are there.
  const probe = spawnSync(python, ['-c', `import moto, moto.server, sys; sys.exit(0 if moto.__version__ == "${MOTO_VERSION}" else 3)`], {
    stdio: 'ignore',
    timeout: 60_000,
  });
  return probe.status === 0;
}

function run(command: string, args: readonly string[], what: string): void {
  const result = spawnSync(command, args, { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 15 * 60_000 });
  if (result.error !== undefined || result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new SetupError(`${what} failed (${result.error?.message ?? `exit ${String(result.status)}`}):\n${output}`);
  }
}

function ensureMoto(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env.MOTO_PYTHON;
  if (chosen !== undefined && chosen !== '') {
    if (!hasMoto(chosen)) throw new SetupError(`MOTO_PYTHON=${chosen} has no ${MOTO_REQUIREMENT}: install it there, or unset MOTO_PYTHON`);
    return `moto ${MOTO_VERSION}: ${chosen} (MOTO_PYTHON)`;
  }
  const venvPython = join(MOTO_VENV, 'bin', 'python3');
  // Once there is a .venv, the specs use it (test-tools.ts: motoPython), so it must hold moto.
  if (existsSync(venvPython) && hasMoto(venvPython)) return `moto ${MOTO_VERSION}: ${shown(MOTO_VENV)} (cached)`;
  if (!existsSync(venvPython) && hasMoto('python3')) return `moto ${MOTO_VERSION}: the machine's python3`;
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (python.error !== undefined)
    throw new SetupError(
      `python3 is not on the PATH: moto's server runs on Python 3 (with its venv module). Install Python 3, then run npm test again`,
    );
  if (!existsSync(venvPython)) run('python3', ['-m', 'venv', MOTO_VENV], `python3 -m venv ${shown(MOTO_VENV)}`);
  run(
    venvPython,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', MOTO_REQUIREMENT],
    `pip install "${MOTO_REQUIREMENT}" into ${shown(MOTO_VENV)}`,
  );
  if (!hasMoto(venvPython))
    throw new SetupError(
      `${MOTO_REQUIREMENT} was installed into ${shown(MOTO_VENV)} but does not import: remove ${shown(MOTO_VENV)} and run npm test again`,
    );
  return `moto ${MOTO_VERSION}: installed into ${shown(MOTO_VENV)} with pip (${python.stdout.trim()}), reused from now on`;
}

function chromiumVersion(executable: string): string {
  const probe = spawnSync(executable, ['--headless', '--no-sandbox', '--version'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new SetupError(
      `${executable} does not start (${probe.error?.message ?? `exit ${String(probe.status)}`}): ${`${probe.stdout}${probe.stderr}`.trim().slice(-500)}`,
    );
  }
  return probe.stdout.trim();
}

async function unpack(archive: string, target: string): Promise<void> {
  mkdirSync(dirname(target), { recursive: true });
  // Into a temporary name first: an interrupted run leaves nothing that looks unpacked.
  const partial = `${target}.partial-${process.pid}`;
  try {
    await pipeline(createReadStream(archive), createBrotliDecompress({ chunkSize: 2 ** 21 }), createWriteStream(partial, { mode: 0o755 }));
    chmodSync(partial, 0o755);
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
}

async function ensureChromium(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const target = unpackedChromium();
  const found = chromiumExecutable(env, target);
  if (found !== undefined) {
    const where =
      found === target ? `${shown(found)} (cached)` : env.CHROMIUM_PATH === found ? `${found} (CHROMIUM_PATH)` : `${found} (the machine's)`;
    return `${chromiumVersion(found)}: ${where}`;
  }
  if (env.CHROMIUM_PATH !== undefined && env.CHROMIUM_PATH !== '')
    throw new SetupError(`CHROMIUM_PATH=${env.CHROMIUM_PATH} is not an executable`);
  const version = chromiumPackageVersion();
  if (version === undefined || target === undefined) throw new SetupError(`${CHROMIUM_PACKAGE} is not in node_modules: run npm ci first`);
  const archive = join(PROJECT_ROOT, 'node_modules', ...CHROMIUM_PACKAGE.split('/'), 'bin', 'chromium.br');
  if (!existsSync(archive))
    throw new SetupError(`${archive} is missing: ${CHROMIUM_PACKAGE} ${version} no longer ships chromium.br where it did`);
  await unpack(archive, target);
  if (!isExecutable(target)) throw new SetupError(`${shown(target)} was unpacked but is not executable`);
  return `${chromiumVersion(target)}: unpacked from ${CHROMIUM_PACKAGE} ${version} into ${shown(dirname(target))}, reused from now on`;
}

async function main(): Promise<void> {
  try {
    say(checkNode());
    say(ensureMoto());
    say(await ensureChromium());
  } catch (error) {
    console.error(`test:setup: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

await main();
