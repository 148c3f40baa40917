// ESLint: typescript-eslint's type-checked rules everywhere, Lit and web-component rules for the
// element; formatting is Prettier's alone (eslint-config-prettier turns off the rules it owns).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // test/types: framework consumers, compiled by their own test against the generated declarations.
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'test/types/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
  },
  {
    files: ['widget/**/*.ts', 'test/widget/**/*.ts'],
    ...wc.configs['flat/recommended'],
    ...lit.configs['flat/recommended'],
    plugins: { ...wc.configs['flat/recommended'].plugins, ...lit.configs['flat/recommended'].plugins },
    rules: { ...wc.configs['flat/recommended'].rules, ...lit.configs['flat/recommended'].rules },
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Lit binds template event listeners (@click=${this.handleClick}) to the host.
    files: ['widget/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  { files: ['bff/demo/*.js', 'bff/simulator/*.js'], languageOptions: { globals: { ...globals.browser } } },
  {
    rules: {
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      // Async methods that implement a Promise interface synchronously (the SQLite store, the
      // in-memory bus) are async on purpose: a throw becomes a rejection, as callers expect.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Tests read untyped JSON (supertest bodies, log lines, page evaluations) on purpose.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Tests save a global's method and put it back afterwards.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['test/widget/**', 'test/e2e/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.mocha } },
  },
  {
    // @open-wc's DOM-diff plugin types chai's equal() as returning a Promise for every value (it does
    // so only for DOM snapshots), which makes each expect() a "floating promise" here.
    files: ['test/widget/**'],
    // Chai's property assertions (expect(x).to.exist) are expressions by design.
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
