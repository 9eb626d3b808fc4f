/**
 * Parses `a=1,b=2` into a map, with every key checked against `allowed` and every value through
 * `parseValue`. Problems are collected, not thrown, so the CLI reports all of them at once.
 */
export function parseKeyValues<K extends string, V>(
  text: string,
  allowed: readonly K[],
  parseValue: (value: string) => V | string,
  problems: string[],
  option: string,
): Partial<Record<K, V>> {
  const result: Partial<Record<K, V>> = {};
  for (const pair of text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    const [key, value, ...rest] = pair.split('=');
    if (key === undefined || value === undefined || rest.length > 0) {
      problems.push(`${option}: "${pair}" must be key=value`);
      continue;
    }
    if (!(allowed as readonly string[]).includes(key.trim())) {
      problems.push(`${option}: unknown key "${key.trim()}" (one of ${allowed.join(', ')})`);
      continue;
    }
    const parsed = parseValue(value.trim());
    if (typeof parsed === 'string') problems.push(`${option}: ${key.trim()}: ${parsed}`);
    else result[key.trim() as K] = parsed;
  }
  return result;
}

/** A probability in [0, 1]. */
export function parseProbability(text: string): number | string {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value) || value < 0 || value > 1) return `"${text}" is not a probability from 0 to 1`;
  return value;
}
