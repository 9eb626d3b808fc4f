// @ts-check
/*
 * Lint: typescript-eslint's recommended type-checked rules on every TypeScript file (the same tsconfig
 * as `npm run typecheck`), with the rules that matter most in async Lambda code stated explicitly.
 * What is switched off or tuned, and why, is written beside each rule.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'cdktf.out/', 'coverage/', '.venv/', '.venv-fuzz/', '.tools/', 'test-artifacts/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its error and outlives the invocation that started it.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async callback where a void one is expected (a listener, forEach) drops its rejection.
      '@typescript-eslint/no-misused-promises': 'error',
      // Ports are imported as types: esbuild emits no decorator metadata, so nothing may rely on a value import of a type.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      // Off: the in-memory fakes, the harness' routes and many test doubles implement async ports with `async`
      // methods that do not await, on purpose: a throw inside becomes a rejection, as in the real adapter.
      '@typescript-eslint/require-await': 'off',
      // A leading underscore names what is dropped on purpose (`const { lease: _lease, ...rest } = record`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // A rejection passes on what was thrown, which TypeScript types as `unknown` (tests also reject with non-errors on purpose).
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // One idea per file: a file that grows past 300 lines (blank lines and comments counted, as `wc -l` does) is split by job.
      'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    // domain/ is pure: time and randomness are parameters, and it does no I/O. (Its imports are checked by
    // .dependency-cruiser.cjs; what it may call without importing is checked here.)
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'domain/ takes the time as a parameter (now: number).' },
        { object: 'Math', property: 'random', message: 'domain/ takes randomness as a parameter (random: () => number).' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'domain/ takes the time as a parameter (now: number).',
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'performance', 'crypto', 'process', 'fetch', 'console'].map(
          (name) => ({
            name,
            message: 'domain/ does no I/O and reads no clock: pass what it needs as a parameter.',
          }),
        ),
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
);
