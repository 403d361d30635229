import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

// Dependencies point one way: src/domain ← workflows ← src/service ← {src/cli, src/http, src/simulate}; the leaves
// (domain, import, store, mail) and the infrastructure beside the service layer import nothing above them.
const layers = {
  domain: './src/domain',
  import: './src/import',
  store: './src/store',
  mail: './src/mail',
  workflows: './workflows',
  activities: './activities',
  temporal: './src/temporal',
  reports: './src/reports',
  holidays: './src/holidays',
  service: './src/service',
  http: './src/http',
  simulate: './src/simulate',
  cli: './src/cli',
  telemetry: './src/telemetry',
};
// The logger and the metrics are for every layer that does I/O; deterministic code has none to report.
const deterministic = ['domain', 'workflows'];
const above = (target, ...allowed) => ({
  target: layers[target],
  from: Object.entries(layers)
    .filter(([name]) => name !== target && !allowed.includes(name))
    .filter(([name]) => name !== 'telemetry' || deterministic.includes(target))
    .map(([, dir]) => dir),
  message: `${layers[target].slice(2)} must not import this layer (dependencies point one way; see eslint.config.mjs).`,
});
const layerZones = [
  above('domain'),
  above('import', 'domain'),
  above('store', 'domain'),
  above('mail', 'domain', 'store'),
  // Workflows import activity *types* only, which no-restricted-imports below allows and checks.
  above('workflows', 'domain', 'activities'),
  above('activities', 'domain', 'store', 'mail', 'holidays'),
  above('temporal', 'domain', 'workflows', 'activities', 'store', 'mail'),
  above('reports', 'domain', 'store'),
  above('holidays', 'domain', 'store'),
  above('service', 'domain', 'workflows', 'activities', 'temporal', 'store', 'holidays'),
  above('http', 'domain', 'workflows', 'service', 'reports', 'holidays', 'store', 'mail', 'temporal', 'import'),
  above('simulate', 'domain', 'workflows', 'activities', 'service', 'temporal', 'store', 'mail', 'holidays'),
  above('telemetry'),
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.temporal/**', 'data/**', 'coverage/**', 'test-output/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import/no-cycle': 'error',
      'import/no-restricted-paths': ['error', { zones: layerZones }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node builtins, no I/O, activity types only.
    files: ['workflows/**/*.ts', 'src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'Workflow and domain code is deterministic: no Node builtins.',
            })),
            ...nodeBuiltins.map((name) => ({
              name: `node:${name}`,
              message: 'Workflow and domain code is deterministic: no Node builtins.',
            })),
            { name: 'nodemailer', message: 'I/O belongs in activities/.' },
            { name: 'pg', message: 'I/O belongs in activities/ and src/store.' },
            { name: 'better-sqlite3', message: 'I/O belongs in activities/ and src/store.' },
          ],
          patterns: [
            {
              group: ['../activities', '../activities/*', '../../activities/*'],
              allowTypeImports: true,
              message: 'Import activity types only.',
            },
            {
              group: [
                '**/src/store/**',
                '**/src/temporal/**',
                '**/src/cli/**',
                '**/src/http/**',
                '**/src/mail/**',
                '**/src/telemetry/**',
              ],
              message: 'Workflow code must not import I/O modules.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        globalThis: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
