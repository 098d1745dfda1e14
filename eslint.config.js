import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'coverage/**', '.tap/**', 'data/**'] }),
  {
    // The core, stores, services, database and CLI know nothing of HTTP: they throw domain
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
    // Routes speak HTTP and call services; only repositories (and the stores not yet split) know the database.
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
