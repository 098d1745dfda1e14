/**
 * /metrics and /v1/stats totals read claims-by-status counters that triggers keep in the
 * write transaction, so a scrape costs the same at 300k claims as at 3; and scraping can be
 * bound to a token.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import t, { type Test } from 'tap'
import { loadConfig } from '../src/config.js'
import { newId } from '../src/db/ids.js'
import { migrationsFolder } from '../src/db/open.js'
import { openSqliteEngine } from '../src/db/sqlite/engine.js'
import { createSqliteStatsRepository } from '../src/modules/stats/sqlite.js'
import type { AnyEngine } from '../src/db/connect.js'
import { claimInput, harness, sqliteOnly, type Harness } from './helpers.js'
import { query } from './support/engines.js'

const STATUSES = ['corroborated', 'disputed', 'unverified'] as const

/** What the counters say, and what counting every live claim says. */
async function counts (engine: AnyEngine) {
  const read = async (sql: string) => {
    const byStatus: Record<string, number> = { corroborated: 0, disputed: 0, unverified: 0 }
    for (const r of await query<{ status: string, n: number | string }>(engine, sql)) byStatus[r.status] = Number(r.n)
    return byStatus
  }
  return {
    kept: await read('SELECT status, claims AS n FROM claim_status_counts'),
    counted: await read('SELECT status, count(*) AS n FROM claims WHERE deleted_at IS NULL GROUP BY status')
  }
}

/** The counters equal a full count, and /metrics and /v1/stats show them. */
async function agree (t: Test, h: Harness, step: string, expected: Record<string, number>) {
  const { kept, counted } = await counts(h.engine)
  t.same(kept, counted, `${step}: counters equal a full count`)
  t.same(kept, expected, `${step}: ${JSON.stringify(expected)}`)
  const scrape = (await h.as('none')('GET', '/metrics')).body
  for (const status of STATUSES) t.match(scrape, new RegExp(`claimledger_claims\\{status="${status}"\\} ${expected[status]}\\n`))
  const stats = (await h.as('viewer')('GET', '/v1/stats')).data.totals
  t.match(stats, { ...expected, claims: expected.unverified! + expected.corroborated! + expected.disputed! })
}

t.test('claims by status stay exact through create, edit, review, bulk review, delete and import', async (t) => {
  const h = await harness(t)
  const ed = h.as('editor')
  const evidence = [{ url: 'https://example.com/e', stance: 'refutes' }]
  await agree(t, h, 'empty', { unverified: 0, corroborated: 0, disputed: 0 })
  const a = (await ed('POST', '/v1/claims', claimInput({ text: 'Claim A' }))).data
  const b = (await ed('POST', '/v1/claims', claimInput({ text: 'Claim B' }))).data
  const c = (await ed('POST', '/v1/claims', claimInput({ text: 'Claim C' }))).data
  await agree(t, h, 'three created', { unverified: 3, corroborated: 0, disputed: 0 })
  await ed('POST', '/v1/claims', claimInput({ text: 'Claim A' }))
  await ed('PATCH', `/v1/claims/${a.id}`, { text: 'Claim A, edited' })
  await agree(t, h, 'a duplicate refused, an edit', { unverified: 3, corroborated: 0, disputed: 0 })
  await h.as('reviewer')('POST', `/v1/claims/${a.id}/reviews`, { verdict: 'disputed', note: 'No', evidence })
  await h.as('reviewer')('POST', `/v1/claims/${a.id}/reviews`, { verdict: 'disputed', note: 'Still no', evidence })
  await h.as('reviewer')('POST', `/v1/claims/${b.id}/reviews`, { verdict: 'corroborated', note: 'Yes', evidence })
  await agree(t, h, 'reviews, one repeating a verdict', { unverified: 1, corroborated: 1, disputed: 1 })
  await h.as('reviewer')('POST', '/v1/reviews/bulk', {
    items: [{ claimId: c.id, verdict: 'corroborated', note: 'Yes', evidence }, { claimId: a.id, verdict: 'unverified', note: 'Unsure' }]
  })
  await h.as('reviewer')('POST', '/v1/reviews/bulk', { items: [{ claimId: b.id, verdict: 'disputed', note: 'No', evidence: [] }] })
  await agree(t, h, 'a bulk review, and one refused whole', { unverified: 1, corroborated: 2, disputed: 0 })
  await ed('DELETE', `/v1/claims/${b.id}`)
  await ed('DELETE', `/v1/claims/${a.id}`)
  await agree(t, h, 'deletions', { unverified: 0, corroborated: 1, disputed: 0 })
  const imported = await ed('POST', '/v1/claims/import', {
    items: [claimInput({ text: 'Imported 1' }), claimInput({ text: 'Imported 2' }), claimInput({ text: 'Claim C' }), { text: 'bad' }]
  })
  t.match(imported.data, { created: 2, duplicates: 1, failed: 1 })
  await agree(t, h, 'an import with a duplicate and a bad record', { unverified: 2, corroborated: 1, disputed: 0 })
  // A row removed outright (no route does this; a hand repair might) is counted too.
  const unreviewed = imported.data.results[0].id
  await query(h.engine, 'DELETE FROM claim_topics WHERE claim_id = ?', unreviewed)
  await query(h.engine, 'DELETE FROM claims WHERE id = ?', unreviewed)
  await agree(t, h, 'a row deleted in SQL', { unverified: 1, corroborated: 1, disputed: 0 })
})

t.test('a scrape and the stats totals read the counters, never the claims table', sqliteOnly, async (t) => {
  const h = await harness(t)
  await h.as('editor')('POST', '/v1/claims', claimInput())
  const plan = createSqliteStatsRepository(h.database.db).countersPlan()
  for (const step of plan) t.notMatch(step, /\bclaims\b/, `plan step "${step}" does not touch claims`)
  t.match(plan.join(' | '), /claim_status_counts/)
  // What the counters hold is what is served, whatever the claims table says.
  h.database.sqlite.prepare("UPDATE claim_status_counts SET claims = 300000 WHERE status = 'disputed'").run()
  t.match((await h.as('none')('GET', '/metrics')).body, /claimledger_claims\{status="disputed"\} 300000\n/)
  t.match((await h.as('viewer')('GET', '/v1/stats')).data.totals, { disputed: 300000, claims: 300001 })
})

/** The migrations folder as it stood before the counters came (drizzle-kit's journal cut there). */
function migrationsBeforeCounters (dir: string): string {
  const folder = join(dir, 'migrations')
  cpSync(migrationsFolder, folder, { recursive: true })
  const journalPath = join(folder, 'meta/_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> }
  const first = journal.entries.findIndex((e) => e.tag.endsWith('_claim_status_counts'))
  if (first < 1) throw new Error('no claim_status_counts migration in the journal')
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, first) }))
  return folder
}

t.test('an existing database migrates cleanly: the counters start from the claims already there', sqliteOnly, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'claimledger-upgrade-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'claims.db')
  const old = new Database(path)
  migrate(drizzle(old), { migrationsFolder: migrationsBeforeCounters(dir) })
  t.throws(() => old.prepare('SELECT * FROM claim_status_counts').all(), /no such table/, 'built without the counters')
  const at = '2020-10-21T09:30:00.000Z'
  const speaker = newId()
  const source = newId()
  old.prepare("INSERT INTO speakers (id, name, kind, aliases, created_at, updated_at) VALUES (?, 'S', 'person', '[]', ?, ?)").run(speaker, at, at)
  old.prepare("INSERT INTO sources (id, title, kind, title_key, created_at, updated_at) VALUES (?, 'T', 'article', 't', ?, ?)").run(source, at, at)
  const insert = old.prepare(`INSERT INTO claims (id, text, text_key, speaker_id, source_id, claimed_at, topics, language, status,
    created_at, updated_at, deleted_at) VALUES (?, ?, ?, ?, ?, '2020-10-21', '[]', 'en', ?, ?, ?, ?)`)
  const rows: Array<[string, string | null]> = [['unverified', null], ['unverified', null], ['unverified', at], ['disputed', null],
    ['disputed', null], ['disputed', null], ['corroborated', at], ['corroborated', null]]
  rows.forEach(([status, deletedAt], i) => insert.run(newId(), `claim ${i}`, `claim ${i}`, speaker, source, status, at, at, deletedAt))
  old.close()

  const upgraded = openSqliteEngine(path)
  t.teardown(async () => { await upgraded.close() })
  t.equal(await upgraded.readiness(), undefined, 'every migration applied')
  const { kept, counted } = await counts(upgraded)
  t.same(kept, { unverified: 2, corroborated: 1, disputed: 3 })
  t.same(kept, counted)
  upgraded.database.sqlite.prepare("UPDATE claims SET status = 'corroborated' WHERE status = 'disputed'").run()
  t.same((await counts(upgraded)).kept, { unverified: 2, corroborated: 4, disputed: 0 }, 'and follow later writes')
})

t.test('METRICS_TOKEN: unset, anyone may scrape; set, only with it as a bearer token', async (t) => {
  const token = 'scrape-token-0123456789abcdef'
  const h = await harness(t, { METRICS_TOKEN: token })
  for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong-token-0123456789abcdef' }, { authorization: token },
    { authorization: `Bearer ${h.keys.admin}` }]) {
    const res = await h.as('none')('GET', '/metrics', undefined, headers)
    t.equal(res.statusCode, 401, JSON.stringify(headers))
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.match(res.headers['www-authenticate'], /^Bearer/)
    t.match(res.data, { status: 401, instance: '/metrics', detail: /METRICS_TOKEN|token/ })
    t.notMatch(res.body, /claimledger_claims/)
  }
  const ok = await h.as('none')('GET', '/metrics', undefined, { authorization: `Bearer ${token}` })
  t.equal(ok.statusCode, 200)
  t.match(ok.body, /claimledger_claims\{status="unverified"\} 0/)
  t.equal((await h.as('none')('GET', '/health')).statusCode, 200, 'other public routes stay open')

  const open = await harness(t)
  t.equal((await open.as('none')('GET', '/metrics')).statusCode, 200, 'unset: open as before')

  t.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), /^Invalid configuration: METRICS_TOKEN must be at least 16 characters$/,
    'a guessable token stops the start, and is not echoed')
})
