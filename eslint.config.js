import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'coverage/**', '.tap/**', 'data/**'] }),
  {
    // Routes speak HTTP and call stores/services; only stores know the database.
    files: ['src/**/routes.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['drizzle-orm', 'drizzle-orm/*', 'better-sqlite3'], message: 'Routes call stores; SQL lives in store.ts.' },
          { group: ['**/db/schema.js', '**/db/open.js'], message: 'Routes call stores; SQL lives in store.ts.' }
        ]
      }]
    }
  }
]
