import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const CDKTF_IMPORT = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](?:cdktf|@cdktf\/[^'"]+|constructs)['"]/;
const SOURCE_FOLDERS = ['domain', 'application', 'adapters', 'handlers', 'test', 'bench'];

function typescriptFiles(folder: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) return typescriptFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('Architecture: cdktf stays behind terraform/', () => {
  it('is imported by no file outside terraform/, so moving to the cdktn fork is a change in one folder', () => {
    const offenders = SOURCE_FOLDERS.flatMap(typescriptFiles).filter((file) => CDKTF_IMPORT.test(readFileSync(file, 'utf8')));
    expect(offenders.map((file) => relative('.', file))).to.deep.equal([]);
  });

  it('recognises the imports it looks for', () => {
    // Built at run time, so that this file does not match itself.
    const importOf = (module: string): string => `import { X } from '${module}';`;
    expect(CDKTF_IMPORT.test(importOf('cdktf'))).to.equal(true);
    expect(CDKTF_IMPORT.test(importOf('@cdktf/provider-aws/lib/sqs-queue/index.js'))).to.equal(true);
    expect(CDKTF_IMPORT.test(importOf('constructs'))).to.equal(true);
    expect(CDKTF_IMPORT.test(importOf('../../terraform/testing.js'))).to.equal(false);
  });
});
