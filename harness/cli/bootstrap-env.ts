import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Where `npm start -- --backend aws --bootstrap` leaves the variables a restart without it needs. */
export const BOOTSTRAP_ENV_FILE = '.env.harness';

/** Prints the variables naming what --bootstrap created, and writes them to .env.harness for the next start. */
export function saveBootstrapped(variables: Readonly<Record<string, string>>, path = BOOTSTRAP_ENV_FILE): void {
  const lines = Object.entries(variables).map(([name, value]) => `${name}=${value}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  process.stderr.write(
    `bootstrapped; a restart without --bootstrap reads these from ${path}:\n${lines.map((line) => `  ${line}`).join('\n')}\n`,
  );
}

/** Sets, from .env.harness, every variable the environment does not set itself (the environment wins). */
export function loadBootstrapped(env: Record<string, string | undefined>, path = BOOTSTRAP_ENV_FILE): void {
  if (!existsSync(path)) return;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match !== null && env[match[1] ?? ''] === undefined) env[match[1] ?? ''] = match[2] ?? '';
  }
}
