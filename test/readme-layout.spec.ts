import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The README's "## Layout" section names every top-level folder and every entry of handlers/, so a
 * newcomer's map of the tree cannot drift from the tree.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The fenced block under "## Layout": one line per top-level folder, `name/` first, continued by indented lines. */
export function layoutBlock(readme: string): string {
  const section = /^## Layout\s*$([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
  return /```[^\n]*\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
}

/** The text the block gives `folder/`: its line and the indented lines that continue it. */
export function entryText(block: string, folder: string): string | undefined {
  const lines = block.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`${folder}/`));
  if (start === -1) return undefined;
  const end = lines.findIndex((line, index) => index > start && /^\S/.test(line));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** `name.ts` may be named with or without its extension, a folder as `name/`; `ingest` is not found inside `orchestrated-ingest`. */
export function names(text: string, entry: string, isFolder: boolean): boolean {
  const escape = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const forms = isFolder ? [`${entry}/`] : [entry, entry.replace(/\.ts$/, '')];
  return forms.some((form) => new RegExp(`(?<![\\w./-])${escape(form)}(?![\\w-]|\\.\\w)`).test(text));
}

/** What the block leaves out: top-level folders first, then handlers/ entries as `handlers/<name>`. */
export function missingFromLayout(
  readme: string,
  topLevelFolders: readonly string[],
  handlerEntries: readonly { name: string; isFolder: boolean }[],
): string[] {
  const block = layoutBlock(readme);
  const missingFolders = topLevelFolders.filter((folder) => entryText(block, folder) === undefined).map((folder) => `${folder}/`);
  const handlersText = entryText(block, 'handlers') ?? '';
  const missingHandlers = handlerEntries
    .filter((entry) => !names(handlersText, entry.name, entry.isFolder))
    .map((entry) => `handlers/${entry.name}${entry.isFolder ? '/' : ''}`);
  return [...missingFolders, ...missingHandlers];
}

/** Top-level folders that hold tracked files, hidden ones (.ci) aside. */
function trackedTopLevelFolders(): string[] {
  const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
  return [
    ...new Set(files.filter((file) => file.includes('/') && !file.startsWith('.')).map((file) => file.slice(0, file.indexOf('/')))),
  ].sort();
}

describe('README: Layout', () => {
  const README = [
    '# x',
    '## Layout',
    '',
    '```',
    'domain/        pure rules',
    'handlers/      entry points (ingest, orchestrated-ingest.ts), http/ (helpers)',
    '               and step-input.ts',
    'test/          mirrors the tree (handlers/ specs, worker.ts fixtures)',
    '```',
    '',
    '## Next',
    'bench/ worker',
  ].join('\n');

  describe('Function: missingFromLayout', () => {
    it('finds each folder and handlers/ entry the block names, on its continuation lines too', () => {
      const entries = [
        { name: 'ingest.ts', isFolder: false },
        { name: 'orchestrated-ingest.ts', isFolder: false },
        { name: 'http', isFolder: true },
        { name: 'step-input.ts', isFolder: false },
      ];

      expect(missingFromLayout(README, ['domain', 'handlers', 'test'], entries)).to.deep.equal([]);
    });

    it('reports a folder or handlers/ entry named only elsewhere, inside a longer name, or outside the section', () => {
      // Prepare: bench/ and worker appear after the section; `processor` nowhere; `orchestrated` only inside a longer name;
      // `worker.ts` only in test/'s line; `aws/` is not `http/`
      const entries = [
        { name: 'worker.ts', isFolder: false },
        { name: 'processor.ts', isFolder: false },
        { name: 'orchestrated.ts', isFolder: false },
        { name: 'aws', isFolder: true },
      ];

      // Act
      const missing = missingFromLayout(README, ['domain', 'bench'], entries);

      // Assess
      expect(missing).to.deep.equal(['bench/', 'handlers/worker.ts', 'handlers/processor.ts', 'handlers/orchestrated.ts', 'handlers/aws/']);
    });
  });

  describe('Rule: the README names every top-level folder and every handlers/ entry', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const folders = trackedTopLevelFolders();
    const handlerEntries = readdirSync(join(ROOT, 'handlers'), { withFileTypes: true }).map((entry) => ({
      name: entry.name,
      isFolder: entry.isDirectory(),
    }));

    it('reads the tree (so the rule is not checked on nothing)', () => {
      expect(folders).to.include.members(['domain', 'application', 'adapters', 'handlers', 'terraform', 'test']);
      expect(handlerEntries.length).to.be.greaterThan(5);
      expect(layoutBlock(readme)).to.match(/^domain\//m);
    });

    it('leaves nothing out', () => {
      expect(missingFromLayout(readme, folders, handlerEntries)).to.deep.equal([]);
    });
  });
});
