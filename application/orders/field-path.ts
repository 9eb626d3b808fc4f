const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * The path of an object's key below `parent`: `lines[0].sku`. A key that is not a plain identifier (digits,
 * empty, spaces, dots, brackets, quotes, non-ASCII letters) is written as a JSON string, `"0"` or
 * `lines[0]."gift wrap"`, so that no key reads as an array's index (`[0]`) or as two keys.
 */
export function fieldPath(parent: string, key: string): string {
  const segment = PLAIN_KEY.test(key) ? key : JSON.stringify(key);
  return parent === '' ? segment : `${parent}.${segment}`;
}
