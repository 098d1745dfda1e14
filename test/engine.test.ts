/**
 * The Engine's guarantees (src/db/engine.ts), the same tests on each engine: commit and
 * rollback, reads that never see a write in progress, writes that never lose each other's
 * updates, savepoints, and (PostgreSQL) several processes on one database. The PostgreSQL
 * leg runs on TEST_DATABASE_URL.
 */
import { statSync } from 'node:fs'
import { setImmediate as tick } from 'node:timers/promises'
import Database from 'better-sqlite3'
import { sql, type SQL } from 'drizzle-orm'
import t, { type Test } from 'tap'
import type { Engine } from '../src/db/engine.js'
import type { Db } from '../src/db/open.js'
import { openPostgresEngine, type PgQ } from '../src/db/postgres/engine.js'
import { AUTOCHECKPOINT_BOUND } from '../src/db/sqlite/checkpointer.js'
import type { SqliteEngine } from '../src/db/sqlite/engine.js'
import { freshEngine } from './support/engines.js'
import { freshPostgres, freshPostgresEngine } from './support/postgres.js'

t.setTimeout(120_000)

/** The two statements these tests need, per engine: the only code here that differs. */
interface Leg<Q> {
  name: string
  open: (t: Test) => Promise<Engine<Q> | undefined>
  run: (q: Q, statement: SQL) => Promise<void>
  value: (q: Q) => Promise<number>
}

const sqliteLeg: Leg<Db> = {
  name: 'SQLite',
  open: async (t) => await freshEngine(t, 'sqlite') as SqliteEngine,
  run: async (q, statement) => { q.run(statement) },
  value: async (q) => (q.get<{ n: number }>(sql`SELECT n FROM engine_probe WHERE id = 1`) as { n: number }).n
}

const postgresLeg: Leg<PgQ> = {
  name: 'PostgreSQL',
  open: freshPostgresEngine,
  run: async (q, statement) => { await q.execute(statement) },
  value: async (q) => Number((await q.execute<{ n: number }>(sql`SELECT n FROM engine_probe WHERE id = 1`)).rows[0]?.n)
}

function suite<Q> (leg: Leg<Q>): void {
  const probe = async (t: Test) => {
    const engine = await leg.open(t)
    if (engine === undefined) return undefined
    await engine.transaction(async (tx) => {
      await leg.run(tx.q, sql`CREATE TABLE engine_probe (id integer PRIMARY KEY, n integer NOT NULL)`)
      await leg.run(tx.q, sql`INSERT INTO engine_probe (id, n) VALUES (1, 0)`)
    })
    return engine
  }
  const set = (n: number) => sql`UPDATE engine_probe SET n = ${n} WHERE id = 1`

  t.test(`${leg.name}: a transaction commits and returns what it computed; a throw undoes it all and comes back unchanged`, async (t) => {
    const engine = await probe(t)
    if (engine === undefined) return
    t.equal(await engine.transaction(async (tx) => { await leg.run(tx.q, set(1)); return 'done' }), 'done')
    t.equal(await engine.read(leg.value), 1)
    const thrown = new Error('the rule said no')
    await t.rejects(engine.transaction(async (tx) => {
      await leg.run(tx.q, set(2))
      await tick()
      throw thrown
    }), thrown)
    t.equal(await engine.read(leg.value), 1, 'rolled back')
    await engine.transaction(async (tx) => { await leg.run(tx.q, set(3)) })
    t.equal(await engine.read(leg.value), 3, 'and the next transaction runs as usual')
  })

  t.test(`${leg.name}: a read never sees a write in progress, and does not wait for it`, async (t) => {
    const engine = await probe(t)
    if (engine === undefined) return
    let release = () => {}
    const held = new Promise<void>((resolve) => { release = resolve })
    let written = () => {}
    const wrote = new Promise<void>((resolve) => { written = resolve })
    const writing = engine.transaction(async (tx) => {
      await leg.run(tx.q, set(42))
      written()
      await held
    })
    await wrote
    t.equal(await engine.read(leg.value), 0, 'the uncommitted 42 is not seen')
    release()
    await writing
    t.equal(await engine.read(leg.value), 42, 'the committed one is')
  })

  t.test(`${leg.name}: concurrent read-check-write transactions lose no update`, async (t) => {
    const engine = await probe(t)
    if (engine === undefined) return
    // Bounded: 40 transactions, each reading the value, yielding, then writing it + 1.
    await Promise.all(Array.from({ length: 40 }, async () => await engine.transaction(async (tx) => {
      const n = await leg.value(tx.q)
      await tick()
      await leg.run(tx.q, set(n + 1))
    })))
    t.equal(await engine.read(leg.value), 40)
  })

  t.test(`${leg.name}: a savepoint that fails is undone alone when the transaction carries on`, async (t) => {
    const engine = await probe(t)
    if (engine === undefined) return
    await engine.transaction(async (tx) => {
      await leg.run(tx.q, set(1))
      await t.rejects(tx.transaction(async (inner) => {
        await leg.run(inner.q, set(2))
        throw new Error('inner failure')
      }), { message: 'inner failure' })
      t.equal(await leg.value(tx.q), 1, 'inside, the savepoint is undone')
      await tx.transaction(async (inner) => { await leg.run(inner.q, set(inner === tx ? -1 : 5)) })
    })
    t.equal(await engine.read(leg.value), 5, 'the rest commits')
    t.equal(await engine.readiness(), undefined)
  })
}

suite(sqliteLeg)
suite(postgresLeg)

t.test('PostgreSQL: three processes on one database serialise their writes too', async (t) => {
  const url = await freshPostgres(t)
  if (url === undefined) return
  const engines = await Promise.all([1, 2, 3].map(async () => await openPostgresEngine(url, { max: 4 })))
  t.teardown(() => Promise.all(engines.map((e) => e.close())))
  const [first] = engines
  await first!.transaction(async (tx) => {
    await postgresLeg.run(tx.q, sql`CREATE TABLE engine_probe (id integer PRIMARY KEY, n integer NOT NULL)`)
    await postgresLeg.run(tx.q, sql`INSERT INTO engine_probe (id, n) VALUES (1, 0)`)
  })
  // Bounded: 3 engines x 20 transactions, 5 at a time each.
  await Promise.all(engines.flatMap((engine) => Array.from({ length: 5 }, async () => {
    for (let i = 0; i < 4; i++) {
      await engine.transaction(async (tx) => {
        const n = await postgresLeg.value(tx.q)
        await tick()
        await postgresLeg.run(tx.q, sql`UPDATE engine_probe SET n = ${n + 1} WHERE id = 1`)
      })
    }
  })))
  t.equal(await first!.read(postgresLeg.value), 60)
  await engines[2]!.close()
  t.match(await engines[2]!.readiness(), 'does not answer', 'a closed engine is not ready')
})

t.test('PostgreSQL: a key changed by one process is news to the others within a second', async (t) => {
  const url = await freshPostgres(t)
  if (url === undefined) return
  const [writer, reader] = await Promise.all([1, 2].map(async () => await openPostgresEngine(url, { max: 2 })))
  t.teardown(() => Promise.all([writer!.close(), reader!.close()]))
  const seen = async (before: number) => {
    // Bounded: at most 1 s, checked every 20 ms.
    for (const until = Date.now() + 1000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 20))) {
      if (reader!.changedElsewhere() !== before) return true
    }
    return false
  }
  let before = reader!.changedElsewhere()
  await writer!.transaction(async (tx) => {
    await tx.q.execute(sql`INSERT INTO api_keys (id, name, role, key_hash, created_at) VALUES ('01890a5d-ac96-774b-bcce-b302099a8057', 'desk', 'reviewer', 'h', 't')`)
  })
  t.ok(await seen(before), 'a new key')
  before = reader!.changedElsewhere()
  await writer!.transaction(async (tx) => { await tx.q.execute(sql`UPDATE api_keys SET revoked_at = 't'`) })
  t.ok(await seen(before), 'a revoked key')
  before = reader!.changedElsewhere()
  await writer!.transaction(async (tx) => {
    await tx.q.execute(sql`INSERT INTO api_keys (id, name, role, key_hash, created_at) VALUES ('01890a5d-ac96-774b-bcce-b302099a8058', 'held', 'reviewer', 'h2', 't')`)
    await new Promise((resolve) => setTimeout(resolve, 200))
    t.equal(reader!.changedElsewhere(), before, 'nothing before the commit')
  })
  t.ok(await seen(before), 'after it')
  // A listening connection that drops may have missed news: that is news too.
  before = reader!.changedElsewhere()
  // Only this test's database: other test files run beside it on the same server.
  const { rowCount } = await writer!.postgres.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE datname = current_database() AND query = 'LISTEN claimledger_api_keys' AND pid <> pg_backend_pid()`)
  t.equal(rowCount, 2, 'both engines\' listeners, and nothing else')
  t.ok(await seen(before), 'a dropped listener')
  // ...and it listens again: news after the reconnect (1 s) still arrives.
  await new Promise((resolve) => setTimeout(resolve, 1500))
  before = reader!.changedElsewhere()
  await writer!.transaction(async (tx) => { await tx.q.execute(sql`UPDATE api_keys SET name = 'renamed'`) })
  t.ok(await seen(before), 'news after the reconnect')
})

t.test('PostgreSQL: reads do not wait behind a queue of writes, even with a small pool', async (t) => {
  const url = await freshPostgres(t)
  if (url === undefined) return
  const engine = await openPostgresEngine(url, { max: 3 })
  t.teardown(() => engine.close())
  let release = () => {}
  const held = new Promise<void>((resolve) => { release = resolve })
  let started = () => {}
  const holding = new Promise<void>((resolve) => { started = resolve })
  const first = engine.transaction(async () => { started(); await held })
  await holding
  // Bounded: five more writes queue behind the one holding the lock.
  const queued = Array.from({ length: 5 }, async () => await engine.transaction(async (tx) => await tx.q.execute(sql`SELECT 1`)))
  const read = engine.read(async (q) => await q.execute(sql`SELECT 1 AS one`))
  const late = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 1000))
  const outcome = await Promise.race([read.then(() => 'read'), late])
  release()
  await Promise.all([first, ...queued, read])
  t.equal(outcome, 'read', 'the read answered while the writes waited')
})

/** A SQLite engine with a table of rows the tests insert, and a second connection that sees only what is committed. */
async function groupProbe (t: Test) {
  const engine = await freshEngine(t, 'sqlite') as SqliteEngine
  await engine.transaction(async (tx) => { tx.q.run(sql`CREATE TABLE grouped (id integer PRIMARY KEY, body text NOT NULL)`) })
  const committed = new Database(engine.database.sqlite.name, { readonly: true })
  t.teardown(() => committed.close())
  const seen = (id: number) => committed.prepare('SELECT count(*) FROM grouped WHERE id = ?').pluck().get(id) === 1
  return { engine, seen }
}

t.test('SQLite: writes that arrive together share one commit, each in its own savepoint; each is answered after the commit, and one that fails fails alone', async (t) => {
  const { engine, seen } = await groupProbe(t)
  const before = { ...engine.counts }
  const answeredAfterCommit: boolean[] = []
  const writes = Array.from({ length: 20 }, async (_, i) => {
    const id = i + 1
    try {
      const value = await engine.transaction(async (tx) => {
        tx.q.run(sql`INSERT INTO grouped (id, body) VALUES (${id}, 'row')`)
        await tick()
        if (id === 7) throw new Error('rule 7 said no')
        return id
      })
      answeredAfterCommit.push(seen(id))
      return value
    } catch (error) {
      t.notOk(seen(id), 'the failed one wrote nothing')
      return (error as Error).message
    }
  })
  const results = await Promise.all(writes)
  t.same(results, Array.from({ length: 20 }, (_, i) => i === 6 ? 'rule 7 said no' : i + 1), 'each got its own answer, in order')
  t.ok(answeredAfterCommit.every(Boolean) && answeredAfterCommit.length === 19, 'every success was committed when it was answered')
  t.equal(engine.database.sqlite.prepare('SELECT count(*) FROM grouped').pluck().get(), 19)
  const transactions = engine.counts.transactions - before.transactions
  const commits = engine.counts.commits - before.commits
  t.equal(transactions, 20)
  t.ok(commits >= 1 && commits < 20, `20 transactions, ${commits} commits`)
})

t.test('SQLite: when the disk fills up inside a group, nothing is answered as written unless it was', async (t) => {
  const { engine, seen } = await groupProbe(t)
  const { sqlite } = engine.database
  const pages = sqlite.pragma('page_count', { simple: true }) as number
  sqlite.pragma(`max_page_count = ${pages + 20}`)
  t.teardown(() => { if (sqlite.open) sqlite.pragma('max_page_count = 1073741823') })
  const outcomes = await Promise.all(Array.from({ length: 6 }, async (_, i) => {
    const id = i + 1
    // The third needs far more room than is left: SQLITE_FULL.
    const body = id === 3 ? 'x'.repeat(1024 * 1024) : 'small'
    try {
      await engine.transaction(async (tx) => { tx.q.run(sql`INSERT INTO grouped (id, body) VALUES (${id}, ${body})`) })
      return { id, written: true }
    } catch (error) {
      return { id, written: false, error: (error as { cause?: { code?: string } }).cause?.code }
    }
  }))
  t.match(outcomes.find((o) => o.id === 3), { written: false, error: 'SQLITE_FULL' })
  // SQLite gave the whole transaction up: the ones that ran with it failed too, the ones that had
  // not started yet ran in the next group, and there was room for them.
  t.same(outcomes.filter((o) => o.id > 3).map((o) => o.written), [true, true, true], 'those after it were not failed for it')
  for (const outcome of outcomes) t.equal(seen(outcome.id), outcome.written, `row ${outcome.id}: ${outcome.written ? 'answered written, and committed' : 'answered failed, and absent'}`)
  sqlite.pragma('max_page_count = 1073741823')
  await engine.transaction(async (tx) => { tx.q.run(sql`INSERT INTO grouped (id, body) VALUES (100, 'after')`) })
  t.ok(seen(100), 'the next write goes through')
})

t.test('SQLite: a closing engine takes no new transaction, and runs the ones asked for before', async (t) => {
  const { engine, seen } = await groupProbe(t)
  const before = engine.transaction(async (tx) => { tx.q.run(sql`INSERT INTO grouped (id, body) VALUES (1, 'before')`) })
  const closed = engine.close()
  await t.rejects(engine.transaction(async () => {}), /closing/)
  await before
  await closed
  t.ok(seen(1), 'the one asked for before the close was committed')
})

t.test('SQLite: a worker thread checkpoints the WAL; the writer\'s own checkpoint is only a bound', async (t) => {
  const { engine } = await groupProbe(t)
  const { sqlite } = engine.database
  t.equal(sqlite.pragma('wal_autocheckpoint', { simple: true }), AUTOCHECKPOINT_BOUND, 'the writer checkpoints only past the bound')
  for (let i = 0; i < 200; i++) {
    await engine.transaction(async (tx) => { tx.q.run(sql`INSERT INTO grouped (id, body) VALUES (${i + 1}, ${'x'.repeat(3000)})`) })
  }
  // 200 transactions of a page or more each, far below the bound: the writer does not checkpoint
  // them, and the database file grows only when a checkpoint copies their pages into it.
  const pagesInFile = () => statSync(sqlite.name).size / (sqlite.pragma('page_size', { simple: true }) as number)
  const started = Date.now()
  while (pagesInFile() < 200 && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 50))
  t.ok(pagesInFile() >= 200, `the rows' pages reached the database file (${pagesInFile()} pages) without the writer checkpointing`)
  t.ok((await engine.checkpointer?.count() ?? 0) > 0, 'the worker checkpointed')
})
