/**
 * The PostgreSQL leg of the suite. `TEST_DATABASE_URL` names a server where the test role may
 * create databases; each test file gets a database of its own, dropped when it ends. Without
 * the variable the leg is skipped with one line saying how to run it — except under CI=true,
 * where a missing PostgreSQL fails the run instead of passing it quietly.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Test } from 'tap'
import { openPostgresEngine, type PostgresEngine } from '../../src/db/postgres/engine.js'

export const postgresUrl = process.env.TEST_DATABASE_URL

/** How to run it is said once, by `npm test`'s last step (scripts/postgres-leg.mjs). */
export const NOT_RUN = 'PostgreSQL leg not run: TEST_DATABASE_URL is not set'

type TapLike = Pick<Test, 'teardown' | 'pass' | 'fail'>

/**
 * A fresh, empty database for this test file: its URL, or undefined when the leg does not run
 * (the test is then reported as skipped, or failed under CI).
 */
export async function freshPostgres (t: TapLike): Promise<string | undefined> {
  if (postgresUrl === undefined || postgresUrl === '') {
    if (process.env.CI === 'true') t.fail(`TEST_DATABASE_URL is not set under CI=true: ${NOT_RUN}`)
    else t.pass('on PostgreSQL', { skip: NOT_RUN })
    return undefined
  }
  const name = `claimledger_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: postgresUrl })
  await admin.connect()
  try {
    // UTF-8 whatever the cluster's default: search folds accents only in a UTF-8 database.
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`)
  } finally {
    await admin.end()
  }
  t.teardown(async () => { await dropDatabase(postgresUrl, name) })
  const url = new URL(postgresUrl)
  url.pathname = `/${name}`
  return url.href
}

/** The PostgreSQL engine over a fresh database for this test file, closed when it ends; undefined as freshPostgres says. */
export async function freshPostgresEngine (t: TapLike): Promise<PostgresEngine | undefined> {
  const url = await freshPostgres(t)
  if (url === undefined) return undefined
  const engine = await openPostgresEngine(url)
  t.teardown(() => engine.close())
  return engine
}

/**
 * Drops a test database, ending this role's connections to it. An autovacuum worker that
 * has just started on it cannot be ended by a non-superuser: then wait and try again (bounded).
 */
async function dropDatabase (adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        return
      } catch (error) {
        if ((error as { code?: string }).code !== '42501' || attempt >= 50) throw error
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  } finally {
    await client.end()
  }
}
