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
export async function snapshot (engine: AnyEngine): Promise<Record<string, string[]>> {
  const rowsOf = async (table: string): Promise<unknown[]> => engine.kind === 'sqlite'
    ? engine.database.sqlite.prepare(`SELECT * FROM ${table}`).all()
    : (await engine.postgres.pool.query(`SELECT * FROM ${table}`)).rows
  const entries = await Promise.all(TABLES.map(async (table) => [table, (await rowsOf(table)).map((row) => JSON.stringify(row)).sort()] as const))
  return Object.fromEntries(entries)
}
