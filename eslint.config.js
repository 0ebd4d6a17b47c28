// Lint for the whole repository (npm run lint): typescript-eslint with type information, and the
// import boundaries of the layers (sim → device → protocol → analyzer → viewer; see README.md,
// "Architecture"). Formatting is Prettier's (npm run format), not a lint rule.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Imports a folder of the core (browser-safe) code may not make. */
const NODE_EDGE = [
  { group: ['**/node/**', '!**/node_modules/**'], message: 'core code runs in the browser: no imports from a node/ folder' },
  { group: ['node:*'], message: 'core code runs in the browser: no Node built-in modules' },
];
const ABOVE = (layers) =>
  layers.map((l) => ({ group: [`**/${l}/**`, `../${l}/*`, `./${l}/*`], message: `imports go one way (README.md, "Architecture"): not from ${l}/` }));

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '**/dist/**',
      '**/dist.building-*/**',
      '.reports/**',
      'out/**',
      'sim/kernel/assembly/**',
      'protocol/framescan/assembly/**',
      '**/*.wasm.ts',
      'viewer/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // type-checked: promises are awaited or handled, and never passed where a void callback goes
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', destructuredArrayIgnorePattern: '^_' },
      ],
      // `typeof import(...)` stays allowed: the mock binding needs its resolution mode, a browser test its page's module
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // tests mutate arbitrary JSON documents (bad-input tables): `any` is the honest type there
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  // protocol/ imports nothing above it
  {
    files: ['protocol/**/*.ts'],
    // node/ and the build scripts of the embedded wasm (tools run by npm, not shipped code) are Node
    ignores: ['protocol/node/**', 'protocol/**/build.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...NODE_EDGE, ...ABOVE(['sim', 'device', 'analyzer', 'viewer', 'cli'])] }],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'protocol core uses Uint8Array/DataView, not Node Buffer' }],
    },
  },
  {
    files: ['protocol/node/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ABOVE(['sim', 'device', 'analyzer', 'viewer', 'cli']) }] },
  },
  // sim/ may use only protocol's message enums; its core (all but sim/node/, the file reading,
  // and the build scripts of the presets and the kernel, tools run by npm) runs in the browser
  {
    files: ['sim/**/*.ts'],
    ignores: ['sim/node/**', 'sim/**/build.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...NODE_EDGE,
            ...ABOVE(['device', 'analyzer', 'viewer', 'cli']),
            { group: ['**/protocol/**', '!**/protocol/messages.ts'], message: 'sim/ may import only protocol/messages.ts (its enums)' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'sim core runs in the browser: Uint8Array, not Node Buffer' }],
    },
  },
  {
    files: ['sim/node/**/*.ts', 'sim/**/build.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...ABOVE(['device', 'analyzer', 'viewer', 'cli']),
            { group: ['**/protocol/**', '!**/protocol/messages.ts'], message: 'sim/ may import only protocol/messages.ts (its enums)' },
          ],
        },
      ],
    },
  },
  // device/ is where sim and protocol meet; nothing above it; its core (all but device/node/) runs in the browser
  {
    files: ['device/**/*.ts'],
    ignores: ['device/node/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...NODE_EDGE, ...ABOVE(['analyzer', 'viewer', 'cli'])] }],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'device core runs in the browser: Uint8Array, not Node Buffer' }],
    },
  },
  {
    files: ['device/node/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ABOVE(['analyzer', 'viewer', 'cli']) }] },
  },
  // the analyser core and the viewer import nothing under a node/ folder
  {
    files: ['analyzer/**/*.ts'],
    ignores: ['analyzer/node/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...NODE_EDGE, ...ABOVE(['viewer', 'cli', 'device'])] }],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'analyser core uses Uint8Array/DataView, not Node Buffer' }],
    },
  },
  {
    files: ['analyzer/node/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ABOVE(['viewer', 'cli']) }] },
  },
  {
    files: ['viewer/**/*.ts'],
    // the server and the Vite build config run in Node
    ignores: ['viewer/server/**', 'viewer/vite.config.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...NODE_EDGE, ...ABOVE(['cli'])] }] },
  },
);
