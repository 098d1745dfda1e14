import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'coverage/**', '.tap/**', 'data/**'] }),
  {
    // Services and repositories are asynchronous: a promise nobody awaits is a write that may
    // land after its transaction, or an error nobody sees. Type-aware, so only TypeScript;
    // not the test files, whose top-level t.test() calls tap awaits itself.
    files: ['src/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'test/support/**/*.ts', 'test/helpers.ts', 'test/process.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }]
    }
  },
  {
    // The same in tests, where tap's t.test() calls are promises tap itself awaits.
    files: ['test/**/*.test.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafePromises: [{ from: 'package', package: '@tapjs/core', name: 'PromiseWithSubtest' }]
      }]
    }
  },
  {
    // The core, services, database and CLI know nothing of HTTP: they throw domain
    // errors (core/errors.ts) and http/problems.ts alone gives them a status and headers.
    // The HTTP layer is routes, their schemas and examples, plugins (guard, metrics, health).
    files: ['src/**/*.ts'],
    ignores: [
      'src/http/**', 'src/**/routes.ts', 'src/**/transfer-routes.ts', 'src/**/schemas.ts', 'src/**/*examples.ts',
      'src/app.ts', 'src/server.ts', 'src/health.ts', 'src/metrics.ts', 'src/modules/auth/guard.ts', 'src/modules/auth/failures.ts'
    ],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['fastify', 'fastify-*', '@fastify/*'], message: 'Only the HTTP layer knows Fastify.' },
          { group: ['**/http/*', './http/*'], message: 'Throw a domain error (core/errors.ts); the HTTP layer maps it.' }
        ]
      }]
    }
  },
  {
    // Routes speak HTTP and call services; only repositories know the database.
    files: ['src/**/routes.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['drizzle-orm', 'drizzle-orm/*', 'better-sqlite3', 'pg'], message: 'Routes call services; SQL lives in repositories (sqlite.ts).' },
          { group: ['**/db/schema.js', '**/db/open.js'], message: 'Routes call services; SQL lives in repositories (sqlite.ts).' }
        ]
      }]
    }
  },
  {
    // Services hold the rules, written once for every engine: no SQL, no driver, no table.
    files: ['src/**/service.ts', 'src/modules/audit/ledger.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['drizzle-orm', 'drizzle-orm/*', 'better-sqlite3', 'pg'], message: 'Services call repositories; SQL lives in sqlite.ts (and postgres.ts).' },
          { group: ['**/db/schema.js', '**/db/postgres/*'], message: 'Services call repositories; SQL lives in sqlite.ts (and postgres.ts).' }
        ]
      }]
    }
  }
]
