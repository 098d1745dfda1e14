#!/usr/bin/env node
/**
 * The suite's PostgreSQL leg (`npm test` runs it after the SQLite run): every test file that
 * exercises storage through the API or the services runs again, each on a fresh PostgreSQL
 * database (test/helpers.ts reads CLAIMLEDGER_TEST_ENGINE). The SQLite run already covers what
 * is SQLite's alone: files, the CLI, backups, crashes, upgrades of old files.
 *
 * TEST_DATABASE_URL names the server (a role that may create databases). Without it the leg
 * is not run and says so in one line — except under CI=true, where that fails the run.
 */
import { spawnSync } from 'node:child_process'

export const POSTGRES_LEG = [
  'test/appearances.test.ts',
  'test/audit-redaction.test.ts',
  'test/audit.test.ts',
  'test/auth-failures.test.ts',
  'test/auth.test.ts',
  'test/bulk.test.ts',
  'test/claims.test.ts',
  'test/encoding.test.ts',
  'test/errors.test.ts',
  'test/examples.test.ts',
  'test/health.test.ts',
  'test/import-stream.test.ts',
  'test/long-ids.test.ts',
  'test/matching-eval.test.ts',
  'test/matching.test.ts',
  'test/metrics.test.ts',
  'test/protection.test.ts',
  'test/reviews.test.ts',
  'test/search.test.ts',
  'test/seed.test.ts',
  'test/serializer.test.ts',
  'test/sources.test.ts',
  'test/speaker-record.test.ts',
  'test/speakers.test.ts',
  'test/surrogates.test.ts',
  'test/system-actors.test.ts',
  'test/transfer.test.ts'
]

const url = process.env.TEST_DATABASE_URL
if (url === undefined || url === '') {
  const line = 'PostgreSQL leg not run: set TEST_DATABASE_URL=postgres://user:password@127.0.0.1:5432/postgres ' +
    '(a role that may create databases; README, "Development") and run npm test again'
  if (process.env.CI === 'true') {
    console.error(`npm test: TEST_DATABASE_URL is not set under CI=true. ${line}`)
    process.exit(1)
  }
  console.log(`npm test: ${line}`)
  process.exit(0)
}

console.log(`npm test: the PostgreSQL leg, ${POSTGRES_LEG.length} test files on ${new URL(url).host}`)
const run = spawnSync('npx', ['tap', '--disable-coverage', ...process.argv.slice(2), ...POSTGRES_LEG], {
  stdio: 'inherit',
  env: { ...process.env, CLAIMLEDGER_TEST_ENGINE: 'postgres' }
})
process.exit(run.status ?? 1)
