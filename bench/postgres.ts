/**
 * The bench's PostgreSQL leg (`npm run bench -- --engine postgres --database-url URL`): the
 * same generated database, copied row for row into PostgreSQL (src/db/copy.ts, what
 * `claimledger copy` runs) and cached there as a database of its own; each run serves a
 * scratch database made from it (CREATE DATABASE … TEMPLATE, a file copy on the server).
 * The URL's role must be allowed to create databases.
 */
import { basename } from 'node:path'
import pg from 'pg'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import Database from 'better-sqlite3'
import { copySqliteToPostgres } from '../src/db/copy.js'
import { openPostgresEngine } from '../src/db/postgres/engine.js'
import * as schema from '../src/db/schema.js'
import { encodeCursor } from '../src/http/pagination.js'
import type { Dataset } from './generate.js'
import { matchSample, type RunCopy } from './scenarios.js'

const DEEP_STATUS = 'unverified'
const DEEP_SORT = '-claimedAt'

const withDatabase = (url: string, name: string) => {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.href
}

async function admin<T> (url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/**
 * Drops a database, ending its sessions. A server child's connections may still be closing
 * (or an autovacuum worker starting) when it is asked: then try again, boundedly.
 */
async function dropDatabase (c: pg.Client, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      return
    } catch (error) {
      if (!['55006', '42501'].includes(String((error as { code?: unknown }).code)) || attempt >= 50) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

/** The dataset's PostgreSQL twin, copied once and reused while the generator and schema stay the same. */
async function ensurePostgresDataset (url: string, dataset: Dataset, log: (line: string) => void): Promise<string> {
  const name = 'claimledger_bench_' + basename(dataset.path, '.db').replace(/[^a-z0-9]+/gi, '_').toLowerCase()
  const exists = await admin(url, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1)
  if (exists) {
    log(`  reusing PostgreSQL database ${name}`)
    return name
  }
  const building = `${name}_building`
  await admin(url, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${building}`)
    await c.query(`CREATE DATABASE ${building} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`)
  })
  const started = performance.now()
  const engine = await openPostgresEngine(withDatabase(url, building))
  const sqlite = new Database(dataset.path, { readonly: true, fileMustExist: true })
  try {
    await copySqliteToPostgres(drizzle(sqlite, { schema }) as never, engine.postgres.db)
    await engine.postgres.pool.query('VACUUM ANALYZE')
  } finally {
    sqlite.close()
    await engine.close()
  }
  // Renamed only when complete: an interrupted copy is never reused.
  await admin(url, async (c) => { await c.query(`ALTER DATABASE ${building} RENAME TO ${name}`) })
  log(`  copied into PostgreSQL database ${name} in ${((performance.now() - started) / 1000).toFixed(0)} s`)
  return name
}

/** The WAL bytes the cluster has generated so far (pg_stat_wal, PostgreSQL 14+). */
export async function postgresWalBytes (url: string): Promise<number | undefined> {
  return await admin(url, async (c) => {
    const row = (await c.query<{ bytes: string }>('SELECT wal_bytes::text AS bytes FROM pg_stat_wal')).rows[0]
    return row === undefined ? undefined : Number(row.bytes)
  })
}

/** A scratch database for one run, and what the scenarios need from it (as copyForRun does for SQLite). */
export async function postgresCopyForRun (url: string, dataset: Dataset, claims: number, log: (line: string) => void): Promise<RunCopy & { dispose: () => Promise<void> }> {
  const template = await ensurePostgresDataset(url, dataset, log)
  const run = `${template}_run`
  await admin(url, async (c) => {
    await dropDatabase(c, run)
    await c.query(`CREATE DATABASE ${run} TEMPLATE ${template}`)
  })
  const runUrl = withDatabase(url, run)
  const { ids, texts, bytes, deep } = await admin(runUrl, async (c) => {
    const ids = (await c.query<{ id: string }>('SELECT id FROM claims WHERE deleted_at IS NULL')).rows.map((r) => r.id)
    const texts = (await c.query<{ text: string }>('SELECT text FROM claims WHERE id = ANY($1)', [matchSample(ids)])).rows.map((r) => r.text)
    const listed = Number((await c.query('SELECT count(*) AS n FROM claims WHERE deleted_at IS NULL AND status = $1', [DEEP_STATUS])).rows[0].n)
    const depth = Math.min(500_000, Math.floor(claims / 2), listed - 1)
    const rows = (await c.query<{ claimedAt: string, id: string }>(`SELECT claimed_at AS "claimedAt", id FROM claims WHERE deleted_at IS NULL AND status = $1
      ORDER BY claimed_at DESC, id DESC LIMIT 2 OFFSET $2`, [DEEP_STATUS, depth - 1])).rows
    const [last, next] = rows
    if (last === undefined || next === undefined || depth < 1) throw new Error(`too few ${DEEP_STATUS} claims for a deep page`)
    const bytes = Number((await c.query('SELECT pg_database_size(current_database()) AS n')).rows[0].n)
    return { ids, texts, bytes, deep: { depth, cursor: encodeCursor(DEEP_SORT, [last.claimedAt, last.id]), firstId: next.id } }
  })
  const dispose = async () => { await admin(url, async (c) => { await dropDatabase(c, run) }) }
  return { path: runUrl, ids, texts, deep, bytes, remove: () => {}, dispose }
}
