// Which PostgreSQL driver for Claimledger: the same drizzle queries through node-postgres (pg)
// and postgres.js, on the two shapes of work the engine does — a read by primary key, and a
// chained audit write (the advisory lock every writer queues on, the head, two inserts).
//
// postgres.js is not a dependency; install it beside, without saving, to compare:
//   npm install --no-save postgres@3
//   farm-bench -n 5 --timeout 900 --vs "node bench/pg-drivers.mjs postgres" -- node bench/pg-drivers.mjs pg
// with DATABASE_URL=postgres://… naming a database it may create two scratch tables in (dropped after).
import { createHash, randomUUID } from 'node:crypto'
import { desc, eq, sql } from 'drizzle-orm'
import { bigint, pgTable, text } from 'drizzle-orm/pg-core'

const url = process.env.DATABASE_URL
const driver = process.argv[2]
const ops = Number(process.argv[3] ?? 3000)
if (url === undefined || !['pg', 'postgres'].includes(driver)) {
  console.error('usage: DATABASE_URL=postgres://… node bench/pg-drivers.mjs pg|postgres [ops]')
  process.exit(2)
}

const items = pgTable('bench_driver_items', { id: text('id').primaryKey(), body: text('body').notNull() })
const chain = pgTable('bench_driver_chain', { seq: bigint('seq', { mode: 'number' }).primaryKey(), hash: text('hash').notNull(), entity: text('entity').notNull() })

let db, close
if (driver === 'pg') {
  const { default: pg } = await import('pg')
  const { drizzle } = await import('drizzle-orm/node-postgres')
  const pool = new pg.Pool({ connectionString: url, max: 10 })
  db = drizzle(pool)
  close = () => pool.end()
} else {
  const { default: postgres } = await import('postgres')
  const { drizzle } = await import('drizzle-orm/postgres-js')
  const client = postgres(url, { max: 10, onnotice: () => {} })
  db = drizzle(client)
  close = () => client.end()
}

await db.execute(sql`DROP TABLE IF EXISTS bench_driver_items`)
await db.execute(sql`DROP TABLE IF EXISTS bench_driver_chain`)
await db.execute(sql`CREATE TABLE bench_driver_items (id text PRIMARY KEY, body text NOT NULL)`)
await db.execute(sql`CREATE TABLE bench_driver_chain (seq bigint PRIMARY KEY, hash text NOT NULL, entity text NOT NULL)`)
const ids = []
for (let i = 0; i < 500; i++) {
  const id = randomUUID()
  ids.push(id)
  await db.insert(items).values({ id, body: 'x'.repeat(300) })
}
const byId = db.select().from(items).where(eq(items.id, sql.placeholder('id'))).prepare('bench_driver_by_id')
const read = () => byId.execute({ id: ids[Math.floor(Math.random() * ids.length)] })

async function write () {
  await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended('claimledger:bench_driver', 0))`)
    const [head] = await tx.select().from(chain).orderBy(desc(chain.seq)).limit(1)
    const id = randomUUID()
    await tx.insert(items).values({ id, body: 'y'.repeat(300) })
    const hash = createHash('sha256').update((head?.hash ?? '') + id).digest('hex')
    await tx.insert(chain).values({ seq: (head?.seq ?? 0) + 1, entity: id, hash })
  })
}

/** n operations, `concurrency` at a time (bounded by n), with throughput and latency. */
async function timed (name, n, concurrency, fn) {
  const latencies = []
  let started = 0
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (started < n) {
      started++
      const s = performance.now()
      await fn()
      latencies.push(performance.now() - s)
    }
  }))
  const seconds = (performance.now() - t0) / 1000
  latencies.sort((a, b) => a - b)
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))].toFixed(2)
  console.log(`${driver} ${name}: ${Math.round(n / seconds)} ops/s, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`)
}

await timed('get by id x1', ops, 1, read)
await timed('get by id x8', ops, 8, read)
await timed('chained write x1', Math.floor(ops / 3), 1, write)
await timed('chained write x8', Math.floor(ops / 3), 8, write)
await db.execute(sql`DROP TABLE bench_driver_items`)
await db.execute(sql`DROP TABLE bench_driver_chain`)
await close()
