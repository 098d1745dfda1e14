/**
 * The PostgreSQL engine's database-level guarantees, the equivalents of the SQLite triggers and
 * FTS5: migrations applied once across instances starting together, an audit history the
 * database itself keeps append-only and chained while several processes write at once, search
 * with FTS5's semantics, and the claims-by-status counters. Runs on TEST_DATABASE_URL.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import t, { type Test } from 'tap'
import { GENESIS_HASH, hashEvent, type AuditEvent } from '../src/modules/audit/ledger.js'
import { openPostgres, postgresMigrationsFolder, type Postgres } from '../src/db/postgres/open.js'
import { freshPostgres } from './support/postgres.js'

t.setTimeout(120_000)

async function migrated (t: Test): Promise<Postgres | undefined> {
  const url = await freshPostgres(t)
  if (url === undefined) return undefined
  const engine = await openPostgres(url)
  t.teardown(() => engine.close())
  return engine
}

type Event = Omit<AuditEvent, 'hash'>

/** The next event after `head`, hashed as the application hashes it. */
function nextEvent (head: { seq: number, hash: string } | undefined, entityId: string): Event & { hash: string } {
  const event: Event = {
    seq: (head?.seq ?? 0) + 1,
    at: '2020-10-21T10:00:00.000Z',
    actor: { id: 'system:test', name: 'system:test', role: 'admin' },
    action: 'claim.created',
    entityType: 'claim',
    entityId,
    changes: {},
    requestId: 'req',
    prevHash: head?.hash ?? GENESIS_HASH
  }
  return { ...event, hash: hashEvent(event) }
}

const INSERT_EVENT = `INSERT INTO audit_events (seq, at, actor_id, actor_name, actor_role, action, entity_type, entity_id, changes, request_id, prev_hash, hash)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
const params = (e: Event & { hash: string }) =>
  [e.seq, e.at, e.actor.id, e.actor.name, e.actor.role, e.action, e.entityType, e.entityId, JSON.stringify(e.changes), e.requestId, e.prevHash, e.hash]

/** One append as a writer does it: the chain lock, the head, the insert, in one transaction. */
async function append (pool: pg.Pool, entityId: string): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('claimledger:audit_events', 0))")
    const { rows } = await client.query<{ seq: string, hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')
    const head = rows[0] === undefined ? undefined : { seq: Number(rows[0].seq), hash: rows[0].hash }
    await client.query(INSERT_EVENT, params(nextEvent(head, entityId)))
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK')
    throw error
  } finally {
    client.release()
  }
}

t.test('instances starting together migrate once, one after another, and are ready', async (t) => {
  const url = await freshPostgres(t)
  if (url === undefined) return
  const engines = await Promise.all([1, 2, 3].map(async () => await openPostgres(url, { max: 2 })))
  t.teardown(() => Promise.all(engines.map((e) => e.close())))
  for (const engine of engines) t.equal(await engine.readiness(), undefined)
  const { rows } = await engines[0]!.pool.query<{ n: string }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations')
  const journal = JSON.parse(readFileSync(join(postgresMigrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] }
  t.equal(Number(rows[0]?.n), journal.entries.length, 'each migration recorded once')
  const again = await openPostgres(url)
  t.equal(await again.readiness(), undefined, 'opening a migrated database changes nothing')
  await again.close()
  t.match(await again.readiness(), 'does not answer', 'a closed pool is not ready')
})

t.test('the database refuses to edit, remove or reorder the audit history, whoever asks', async (t) => {
  const engine = await migrated(t)
  if (engine === undefined) return
  const { pool } = engine
  await append(pool, 'first')
  await append(pool, 'second')
  const refused = async (text: string, values: unknown[], pattern: RegExp, name: string) => {
    await t.rejects(pool.query(text, values), { message: pattern }, name)
  }
  await refused("UPDATE audit_events SET action = 'claim.deleted' WHERE seq = 1", [], /append-only: UPDATE is not allowed/, 'UPDATE')
  await refused('DELETE FROM audit_events WHERE seq = 2', [], /append-only: DELETE is not allowed/, 'DELETE')
  await refused('TRUNCATE audit_events', [], /append-only: TRUNCATE is not allowed/, 'TRUNCATE')

  const { rows } = await pool.query<{ seq: string, hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')
  const head = { seq: Number(rows[0]?.seq), hash: rows[0]?.hash ?? '' }
  const skipping = nextEvent({ ...head, seq: head.seq + 1 }, 'gap')
  await refused(INSERT_EVENT, params({ ...skipping, prevHash: head.hash }), /must extend the chain at its head/, 'a gap in seq')
  const forked = nextEvent({ seq: head.seq, hash: GENESIS_HASH }, 'fork')
  await refused(INSERT_EVENT, params(forked), /must extend the chain at its head/, 'a link to another event than the head')
  await refused(`${INSERT_EVENT} ON CONFLICT (seq) DO UPDATE SET action = 'x'`, params({ ...nextEvent(head, 'over'), seq: 1 }),
    /must extend the chain at its head/, 'an upsert over an event')
  const count = await pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_events')
  t.equal(Number(count.rows[0]?.n), 2, 'the history is as it was')
})

t.test('three processes appending at once keep one chain, gap-free and valid', async (t) => {
  const engine = await migrated(t)
  if (engine === undefined) return
  // Three pools stand for three API processes; each sends 4 appends at a time. Bounded: 180 appends.
  const pools = [1, 2, 3].map(() => new pg.Pool({ connectionString: engine.pool.options.connectionString, max: 4 }))
  t.teardown(() => Promise.all(pools.map((p) => p.end())))
  await Promise.all(pools.flatMap((pool, p) => [0, 1, 2, 3].map(async (lane) => {
    for (let i = 0; i < 15; i++) await append(pool, `p${p}-l${lane}-${i}`)
  })))
  const { rows } = await engine.pool.query<Record<string, string>>('SELECT * FROM audit_events ORDER BY seq')
  t.equal(rows.length, 180)
  let prev = GENESIS_HASH
  const bad: number[] = []
  rows.forEach((row, i) => {
    const event: Event = {
      seq: Number(row.seq),
      at: row.at ?? '',
      actor: { id: row.actor_id ?? '', name: row.actor_name ?? '', role: 'admin' },
      action: row.action ?? '',
      entityType: row.entity_type ?? '',
      entityId: row.entity_id ?? '',
      changes: JSON.parse(row.changes ?? '{}'),
      requestId: row.request_id ?? '',
      prevHash: row.prev_hash ?? ''
    }
    if (event.seq !== i + 1 || event.prevHash !== prev || hashEvent(event) !== row.hash) bad.push(event.seq)
    prev = row.hash ?? ''
  })
  t.same(bad, [], 'every event follows the one before it')
})

t.test('search has FTS5\'s semantics: every word, accents and case folded, speaker names, text weighted highest', async (t) => {
  const engine = await migrated(t)
  if (engine === undefined) return
  const { pool } = engine
  const speaker = '01890a5d-ac96-774b-bcce-b302099a8057'
  const source = '01890a5d-ac96-774b-bcce-b302099a8058'
  await pool.query('INSERT INTO speakers (id, name, kind, aliases, created_at, updated_at) VALUES ($1, \'Nikol Pashinyan\', \'person\', \'["Armenian prime minister"]\', \'t\', \'t\')', [speaker])
  await pool.query('INSERT INTO sources (id, title, kind, title_key, created_at, updated_at) VALUES ($1, \'Mail Online\', \'article\', \'mail online\', \'t\', \'t\')', [source])
  const claim = async (id: string, text: string, context: string | null) => {
    await pool.query(`INSERT INTO claims (id, text, text_key, speaker_id, source_id, claimed_at, context, topics, language, status, created_at, updated_at)
      VALUES ($1, $2, $2, $3, $4, '2020-10-21', $5, '[]', 'en', 'unverified', 't', 't')`, [id, text, speaker, source, context])
  }
  await claim('01890a5d-ac96-774b-bcce-b302099a8001', 'Azerbaijani forces shelled Stepanakert overnight', null)
  await claim('01890a5d-ac96-774b-bcce-b302099a8002', 'The ceasefire held in the south', 'Reported after shelling near Stepanakert')
  const search = async (words: string) => {
    const { rows } = await pool.query<{ id: string }>(
      `SELECT id FROM claims WHERE search @@ to_tsquery('claimledger', $1)
       ORDER BY ts_rank('{0.1, 0.3, 0.5, 1.0}', search, to_tsquery('claimledger', $1)) DESC, id`, [words])
    return rows.map((r) => r.id.slice(-4))
  }
  t.same(await search('STEPANAKERT'), ['8001', '8002'], 'a word in the text ranks above the same word in the context')
  t.same(await search('stépanakert & shelled'), ['8001'], 'accents folded; every word required')
  t.same(await search('armenian & minister'), ['8001', '8002'], 'the speaker\'s aliases are searchable')
  const versions = async () => (await pool.query<{ xmin: string }>('SELECT xmin::text FROM claims ORDER BY id')).rows.map((r) => r.xmin)
  const untouched = await versions()
  await pool.query("UPDATE speakers SET description = 'Prime minister', name = name, aliases = aliases WHERE id = $1", [speaker])
  t.same(await versions(), untouched, 'an edit that keeps the names leaves the claims alone')
  await pool.query('UPDATE speakers SET aliases = \'["PM of Armenia"]\' WHERE id = $1', [speaker])
  t.same(await search('minister'), [], 'a removed alias no longer finds the speaker\'s claims')
  t.same(await search('pm & armenia'), ['8001', '8002'], 'a new alias does, in the same transaction')
  await pool.query("UPDATE claims SET deleted_at = 't' WHERE id = '01890a5d-ac96-774b-bcce-b302099a8001'")
  t.same(await search('stepanakert'), ['8002'], 'a deleted claim is not found')
})

t.test('claims by status are counted in the transaction of every write', async (t) => {
  const engine = await migrated(t)
  if (engine === undefined) return
  const { pool } = engine
  await pool.query('INSERT INTO speakers (id, name, kind, aliases, created_at, updated_at) VALUES (\'01890a5d-ac96-774b-bcce-b302099a8057\', \'Baku\', \'government\', \'[]\', \'t\', \'t\')')
  await pool.query('INSERT INTO sources (id, title, kind, title_key, created_at, updated_at) VALUES (\'01890a5d-ac96-774b-bcce-b302099a8058\', \'Mail\', \'article\', \'mail\', \'t\', \'t\')')
  const counts = async () => Object.fromEntries((await pool.query<{ status: string, claims: string }>('SELECT status, claims FROM claim_status_counts')).rows
    .map((r) => [r.status, Number(r.claims)]))
  t.same(await counts(), { unverified: 0, corroborated: 0, disputed: 0 })
  for (const n of [1, 2, 3]) {
    await pool.query(`INSERT INTO claims (id, text, text_key, speaker_id, source_id, claimed_at, topics, language, status, created_at, updated_at)
      VALUES ($1, $2, $2, '01890a5d-ac96-774b-bcce-b302099a8057', '01890a5d-ac96-774b-bcce-b302099a8058', '2020-10-21', '[]', 'en', 'unverified', 't', 't')`,
    [`01890a5d-ac96-774b-bcce-b302099a800${n}`, `Claim ${n}`])
  }
  await pool.query("UPDATE claims SET status = 'disputed' WHERE text = 'Claim 1'")
  await pool.query("UPDATE claims SET status = 'disputed', text = 'Edited' WHERE text = 'Claim 1'")
  t.same(await counts(), { unverified: 2, corroborated: 0, disputed: 1 }, 'a write that keeps the status moves nothing')
  await pool.query("UPDATE claims SET deleted_at = 't' WHERE text = 'Claim 2'")
  await pool.query("DELETE FROM claims WHERE text = 'Edited'")
  t.same(await counts(), { unverified: 1, corroborated: 0, disputed: 0 }, 'deleted claims leave the counts, soft or not')
})
