/**
 * Tests that run once per engine: SQLite always, PostgreSQL when TEST_DATABASE_URL names a
 * server (support/postgres.ts: skipped with one line locally, failed under CI=true).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { AnyEngine } from '../../src/db/connect.js'
import { openSqliteEngine } from '../../src/db/sqlite/engine.js'
import { freshPostgresEngine } from './postgres.js'

export const ENGINES = ['sqlite', 'postgres'] as const
export type EngineKind = typeof ENGINES[number]

/** A fresh, migrated database of this kind for one test, closed and removed when it ends. */
export async function freshEngine (t: Test, kind: EngineKind): Promise<AnyEngine | undefined> {
  if (kind === 'postgres') return await freshPostgresEngine(t)
  const dir = mkdtempSync(join(tmpdir(), 'claimledger-engine-'))
  const engine = openSqliteEngine(join(dir, 'claims.db'))
  t.teardown(async () => {
    await engine.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return engine
}

/** `fn` as one subtest per engine, each on a fresh database. */
export function onEachEngine (t: Test, name: string, fn: (t: Test, engine: AnyEngine) => Promise<void>): void {
  for (const kind of ENGINES) {
    // eslint-disable-next-line @typescript-eslint/no-floating-promises -- tap awaits its subtests
    t.test(`${name} (${kind})`, async (t) => {
      const engine = await freshEngine(t, kind)
      if (engine !== undefined) await fn(t, engine)
    })
  }
}

const TABLES = ['api_keys', 'speakers', 'speaker_names', 'sources', 'claims', 'claim_topics', 'reviews', 'audit_events', 'idempotency_keys']

/**
 * Every row of every table, in an order that does not depend on the engine's storage, for
 * "a refused write changed nothing" assertions on either engine.
 */
export async function snapshot (engine: AnyEngine): Promise<Record<string, Array<Record<string, unknown>>>> {
  const sorted = (rows: Array<Record<string, unknown>>) => rows.map((row) => [JSON.stringify(row), row] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row)
  const entries = await Promise.all(TABLES.map(async (table) => [table, sorted(await query(engine, `SELECT * FROM ${table}`))] as const))
  return Object.fromEntries(entries)
}

/** Runs one statement written in SQL both engines speak (`?` placeholders); its rows. */
export async function query<Row = Record<string, unknown>> (engine: AnyEngine, text: string, ...params: unknown[]): Promise<Row[]> {
  if (engine.kind === 'sqlite') {
    const statement = engine.database.sqlite.prepare(text)
    return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as Row[]
  }
  let n = 0
  return (await engine.postgres.pool.query(text.replace(/\?/g, () => `$${++n}`), params)).rows as Row[]
}

/** The number of rows in a table. */
export async function countRows (engine: AnyEngine, table: string): Promise<number> {
  const [row] = await query<{ n: number | string }>(engine, `SELECT count(*) AS n FROM ${table}`)
  return Number(row?.n)
}
