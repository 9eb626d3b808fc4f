import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The layer rules of CONVENTIONS.md §1, checked on the import specifiers of every .ts file:
 *   handlers/ ──▶ application/ ──▶ domain/   and   adapters/ ──▶ application/ports, domain/
 */

interface SourceFile {
  /** Posix path from the repository root, e.g. `domain/order.ts`. */
  readonly path: string;
  readonly source: string;
}

interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly rule: string;
}

interface ImportRule {
  readonly name: string;
  readonly appliesTo: (file: string) => boolean;
  /** `target` is the repository path a relative specifier resolves to, or the bare specifier itself. */
  readonly forbids: (target: string, isRelative: boolean) => boolean;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LAYERS = ['domain', 'application', 'adapters', 'handlers', 'harness', 'terraform'] as const;

const within = (folder: string) => (path: string): boolean => path.startsWith(`${folder}/`);
const isPackage = (name: string) => (target: string): boolean => target === name || target.startsWith(`${name}/`);
const AWS_SDK = (target: string): boolean => target.startsWith('@aws-sdk/') || target.startsWith('@smithy/');
const CDKTF = (target: string): boolean => ['cdktf', 'constructs', '@cdktf/provider-aws'].some((name) => isPackage(name)(target));

const RULES: readonly ImportRule[] = [
  {
    name: 'domain/ imports nothing from outside domain/ (no packages, no node: modules, no other layer)',
    appliesTo: within('domain'),
    forbids: (target, isRelative) => !isRelative || !within('domain')(target),
  },
  {
    name: 'application/ imports no adapters/, handlers/ or terraform/, and no AWS SDK',
    appliesTo: within('application'),
    forbids: (target, isRelative) => (isRelative ? ['adapters', 'handlers', 'terraform'].some((layer) => within(layer)(target)) : AWS_SDK(target)),
  },
  {
    name: 'handlers/ make no SDK calls: no AWS SDK import (the harness may)',
    appliesTo: within('handlers'),
    forbids: (target, isRelative) => !isRelative && AWS_SDK(target),
  },
  {
    name: 'the harness is a product of its own: nothing deployed imports harness/',
    appliesTo: (file) => ['domain', 'application', 'adapters', 'handlers', 'terraform'].some((layer) => within(layer)(file)),
    forbids: (target, isRelative) => isRelative && within('harness')(target),
  },
  {
    name: 'the fault scenarios drive the harness from outside: nothing deployed, and not the harness, imports chaos/',
    appliesTo: (file) => ['domain', 'application', 'adapters', 'handlers', 'terraform', 'harness'].some((layer) => within(layer)(file)),
    forbids: (target, isRelative) => isRelative && within('chaos')(target),
  },
  {
    name: 'adapters/ import no handlers/ or terraform/',
    appliesTo: within('adapters'),
    forbids: (target, isRelative) => isRelative && (within('handlers')(target) || within('terraform')(target)),
  },
  {
    name: 'cdktf stays inside terraform/',
    appliesTo: (file) => !within('terraform')(file),
    forbids: (target, isRelative) => !isRelative && CDKTF(target),
  },
];

const IMPORT_PATTERNS: readonly RegExp[] = [
  // import x from '…', import { a, type B } from '…', import * as x from '…', import type X from '…'
  /\bimport\s+(?:type\s+)?[\w$*{},\s]+?\s+from\s*['"]([^'"]+)['"]/g,
  // export { a } from '…', export * from '…', export type { A } from '…'
  /\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[\w$,\s]*\})\s*from\s*['"]([^'"]+)['"]/g,
  // import '…' (side effects)
  /\bimport\s*['"]([^'"]+)['"]/g,
  // import('…'), require('…')
  /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** Block comments and whole-line comments are dropped, so prose that mentions an import is not one. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

export function importSpecifiers(source: string): string[] {
  const code = withoutComments(source);
  return IMPORT_PATTERNS.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1] ?? ''));
}

export function checkImports(files: readonly SourceFile[], rules: readonly ImportRule[] = RULES): Violation[] {
  return files.flatMap((file) => {
    const applicable = rules.filter((rule) => rule.appliesTo(file.path));
    return importSpecifiers(file.source).flatMap((specifier) => {
      const isRelative = specifier.startsWith('.');
      const target = isRelative ? posix.normalize(posix.join(posix.dirname(file.path), specifier)) : specifier;
      return applicable.filter((rule) => rule.forbids(target, isRelative)).map((rule) => ({ file: file.path, specifier, rule: rule.name }));
    });
  });
}

function sourceFiles(folder: string): SourceFile[] {
  const absolute = join(ROOT, folder);
  let entries;
  try {
    entries = readdirSync(absolute, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !path.split(sep).includes('node_modules'))
    .map((path) => ({ path: relative(ROOT, path).split(sep).join('/'), source: readFileSync(path, 'utf8') }));
}

describe('Architecture', () => {
  describe('Function: importSpecifiers', () => {
    it('finds every form of import and re-export, and none in comments', () => {
      // Prepare
      const source = [
        "import 'reflect-metadata';",
        "import { inject, injectable } from 'inversify';",
        "import type { Clock } from '../ports/clock.js';",
        'import {',
        '  a,',
        '  type B,',
        "} from './multi-line.js';",
        "import * as fs from 'node:fs';",
        "import Default, { named as alias } from 'default-and-named';",
        "export { x } from './re-export.js';",
        "export type { Y } from './type-re-export.js';",
        "export * from './star.js';",
        "export * as ns from './star-as.js';",
        "const lazy = await import('./lazy.js');",
        "const old = require('old-style');",
        "// import { commented } from 'commented-out';",
        "/* import { blocked } from 'block-commented'; */",
        "export const notAnImport = 'from here';",
      ].join('\n');

      // Act
      const specifiers = importSpecifiers(source);

      // Assess
      expect(specifiers).to.have.members([
        'reflect-metadata', 'inversify', '../ports/clock.js', './multi-line.js', 'node:fs', 'default-and-named',
        './re-export.js', './type-re-export.js', './star.js', './star-as.js', './lazy.js', 'old-style',
      ]);
    });
  });

  describe('Function: checkImports', () => {
    const file = (path: string, ...imports: string[]): SourceFile => ({ path, source: imports.map((s) => `import { x } from '${s}';`).join('\n') });

    it('accepts imports that follow the layer rules', () => {
      const files = [
        file('domain/order.ts', './money.js', './errors.js'),
        file('application/use-cases/x.ts', '../../domain/order.js', '../ports/clock.js', 'inversify', 'node:crypto'),
        file('adapters/aws/sqs.ts', '@aws-sdk/client-sqs', '../../application/ports/order-queue.js', '../../domain/errors.js'),
        file('handlers/worker.ts', '../application/use-cases/x.js', '../adapters/memory/m.js', 'aws-lambda'),
        file('harness/harness.ts', '@aws-sdk/client-sqs', '../handlers/worker.js', '../adapters/aws/sqs.js'),
        file('terraform/main.ts', 'cdktf', '../domain/visibility-timeout.js'),
      ];

      expect(checkImports(files)).to.deep.equal([]);
    });

    it('reports each broken rule with the file and the specifier', () => {
      // Prepare
      const files = [
        file('domain/a.ts', '../application/ports/clock.js'),
        file('domain/b.ts', 'inversify'),
        file('domain/c.ts', 'node:fs'),
        file('domain/deep/d.ts', '../../adapters/memory/x.js'),
        file('domain/e.ts', '@aws-sdk/client-sqs'),
        file('application/f.ts', '../adapters/memory/in-memory-sqs.js'),
        file('application/use-cases/g.ts', '../../handlers/composition-root.js'),
        file('application/h.ts', '@aws-sdk/client-dynamodb'),
        file('handlers/i.ts', '@aws-sdk/client-eventbridge'),
        file('adapters/memory/j.ts', '../../handlers/adapter-tokens.js'),
        file('application/k.ts', 'cdktf'),
        file('handlers/l.ts', '../harness/harness.js'),
        file('harness/m.ts', '../chaos/run-scenario.js'),
      ];

      // Act
      const violations = checkImports(files);

      // Assess: one violation per file, naming it
      expect(violations.map((v) => v.file)).to.deep.equal(files.map((f) => f.path));
      expect(violations[1]).to.deep.include({ specifier: 'inversify' });
      expect(violations[0]?.rule).to.match(/^domain\//);
      expect(violations[8]?.rule).to.match(/^handlers\//);
      expect(violations[11]?.rule).to.match(/harness/);
      expect(violations[12]?.rule).to.match(/chaos/);
    });

    it('sees a relative import that climbs out of domain/ and back in as staying inside', () => {
      expect(checkImports([file('domain/a.ts', '../domain/b.js')])).to.deep.equal([]);
    });
  });

  describe('Rule: the repository follows the layer rules', () => {
    const files = LAYERS.flatMap(sourceFiles);

    it('reads the source tree (so the rules are not checked on nothing)', () => {
      for (const layer of ['domain', 'application', 'adapters', 'handlers', 'harness'] as const) {
        expect(files.filter((f) => f.path.startsWith(`${layer}/`)).length, layer).to.be.greaterThan(3);
      }
      expect(files.some((f) => f.path === 'domain/order.ts')).to.equal(true);
    });

    for (const rule of RULES) {
      it(rule.name, () => {
        const broken = checkImports(files, [rule]);

        expect(broken.map((v) => `${v.file} imports ${v.specifier}`)).to.deep.equal([]);
      });
    }
  });
});
