/**
 * Which b-trees a write dirties: reviews posted one at a time (each its own transaction, as
 * POST /v1/claims/:id/reviews makes them) on a scratch copy of the bench database, with
 * automatic checkpoints off; then every WAL frame's page number is mapped to its table or
 * index through dbstat. Each frame is one page written to the WAL, and written again to the
 * database file by the next checkpoint.
 *
 *   npm run bench:pages -- [--claims 100000] [--reviews 200]
 */
import { copyFileSync, readFileSync, rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { systemContext } from '../src/core/context.js'
import { newId } from '../src/db/ids.js'
import { openSqliteEngine } from '../src/db/sqlite/engine.js'
import { createServices } from '../src/modules/container.js'
import { reviewCreate } from '../src/modules/reviews/schemas.js'
import { ensureDataset } from './generate.js'

const { values } = parseArgs({ options: { claims: { type: 'string', default: '100000' }, reviews: { type: 'string', default: '200' } } })
const reviews = Number(values.reviews)
const dataset = await ensureDataset(Number(values.claims), (line) => process.stderr.write(line + '\n'))
const path = dataset.path.replace(/\.db$/, '.pages.db')
const remove = () => { for (const suffix of ['', '-wal', '-shm', '.created']) rmSync(path + suffix, { force: true }) }
remove()
copyFileSync(dataset.path, path)
const engine = openSqliteEngine(path)
try {
  const services = createServices(engine)
  const { sqlite } = engine.database
  const ids = sqlite.prepare('SELECT id FROM claims WHERE deleted_at IS NULL ORDER BY random() LIMIT ?').pluck().all(reviews + 1) as string[]
  const ctx = systemContext('bench', newId())
  const review = (claimId: string) => services.reviews.create(ctx, claimId, reviewCreate.parse({ verdict: 'unverified', note: 'bench' }))
  await review(ids[reviews] as string)
  sqlite.pragma('wal_checkpoint(TRUNCATE)')
  sqlite.pragma('wal_autocheckpoint = 0')
  for (const id of ids.slice(0, reviews)) await review(id)

  const wal = readFileSync(`${path}-wal`)
  const pageSize = wal.readUInt32BE(8)
  const frames: number[] = []
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) frames.push(wal.readUInt32BE(at))
  const reader = new Database(path, { readonly: true })
  const owner = new Map((reader.prepare('SELECT pageno, name FROM dbstat').all() as Array<{ pageno: number, name: string }>).map((r) => [r.pageno, r.name]))
  reader.close()
  const byOwner = new Map<string, number>()
  for (const page of frames) {
    const name = owner.get(page) ?? 'free or new pages'
    byOwner.set(name, (byOwner.get(name) ?? 0) + 1)
  }
  console.log(`${reviews} reviews, one transaction each, on ${dataset.meta.claims.toLocaleString('en')} claims: ` +
    `${(frames.length / reviews).toFixed(1)} pages of ${pageSize} B written to the WAL per review (each distinct page once more at the next checkpoint)`)
  for (const [name, count] of [...byOwner].sort((a, b) => b[1] - a[1])) console.log(`  ${(count / reviews).toFixed(2).padStart(6)}  ${name}`)
} finally {
  await engine.close()
  remove()
}
