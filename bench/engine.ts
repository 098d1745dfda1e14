/**
 * What the asynchronous Engine interface (src/db/engine.ts) costs SQLite, against the
 * plain synchronous better-sqlite3 transactions, on the same connection and statements:
 * a write (an UPDATE and an INSERT in one transaction, the shape of a review) and a read by
 * primary key. Each scenario runs --runs times, alternating, and the median is printed.
 *
 *   npx tsx bench/engine.ts [--writes 20000] [--reads 200000] [--runs 5]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { eq, sql } from 'drizzle-orm'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { Db } from '../src/db/open.js'
import { openSqliteEngine } from '../src/db/sqlite/engine.js'

const { values } = parseArgs({ options: { writes: { type: 'string', default: '20000' }, reads: { type: 'string', default: '200000' }, runs: { type: 'string', default: '5' } } })
const writes = Number(values.writes)
const reads = Number(values.reads)
const runs = Number(values.runs)

const dir = mkdtempSync(join(tmpdir(), 'claimledger-bench-engine-'))
const engine = openSqliteEngine(join(dir, 'claims.db'))
const { sqlite } = engine.database
sqlite.exec('CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, body TEXT NOT NULL)')
sqlite.exec('CREATE TABLE bench_events (seq INTEGER PRIMARY KEY, row_id INTEGER NOT NULL, body TEXT NOT NULL)')
const insertRow = sqlite.prepare('INSERT INTO bench_rows (id, n, body) VALUES (?, 0, ?)')
sqlite.transaction(() => { for (let id = 1; id <= 10_000; id++) insertRow.run(id, 'x'.repeat(200)) })()

const update = sqlite.prepare('UPDATE bench_rows SET n = n + 1 WHERE id = ?')
const append = sqlite.prepare('INSERT INTO bench_events (row_id, body) VALUES (?, ?)')
const write = (id: number) => { update.run(id); append.run(id, 'y'.repeat(300)) }
// A read as a repository makes it: a drizzle statement prepared once per connection.
const rows = sqliteTable('bench_rows', { id: integer('id').primaryKey(), n: integer('n').notNull(), body: text('body').notNull() })
const byIdOn = new Map<Db, (id: number) => unknown>()
const byId = (q: Db) => {
  let get = byIdOn.get(q)
  if (get === undefined) {
    const statement = q.select().from(rows).where(eq(rows.id, sql.placeholder('id'))).prepare()
    get = (id) => statement.get({ id })
    byIdOn.set(q, get)
  }
  return get
}
const random = () => 1 + Math.floor(Math.random() * 10_000)

const scenarios: Record<string, () => Promise<number>> = {
  'write, synchronous transaction': async () => {
    const immediate = engine.database.sqlite.transaction(write)
    for (let i = 0; i < writes; i++) immediate.immediate(random())
    return writes
  },
  'write, engine.transaction, 1 at a time': async () => {
    for (let i = 0; i < writes; i++) await engine.transaction(async () => write(random()))
    return writes
  },
  'write, engine.transaction, 16 callers': async () => {
    let started = 0
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (started < writes) {
        started++
        await engine.transaction(async () => write(random()))
      }
    }))
    return writes
  },
  'read by id, direct': async () => {
    const get = byId(engine.database.db)
    for (let i = 0; i < reads; i++) get(random())
    return reads
  },
  'read by id, engine.read': async () => {
    for (let i = 0; i < reads; i++) await engine.read((q) => byId(q)(random()))
    return reads
  }
}

const results = new Map<string, number[]>()
for (let run = 0; run < runs; run++) {
  for (const [name, scenario] of Object.entries(scenarios)) {
    const started = performance.now()
    const n = await scenario()
    const perSecond = n / ((performance.now() - started) / 1000)
    results.set(name, [...(results.get(name) ?? []), perSecond])
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
console.log(`SQLite engine overhead: ${writes.toLocaleString('en')} writes, ${reads.toLocaleString('en')} reads, median of ${runs} runs`)
for (const [name, xs] of results) {
  console.log(`${name.padEnd(42)} ${Math.round(median(xs)).toLocaleString('en').padStart(9)} /s  (${xs.map((x) => Math.round(x)).join(', ')})`)
}
await engine.close()
rmSync(dir, { recursive: true, force: true })
