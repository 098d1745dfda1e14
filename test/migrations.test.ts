/**
 * Each engine's committed migrations are exactly what drizzle-kit generates from its schema:
 * a column added to one schema file without `npm run db:generate` fails here, not in
 * production. drizzle-kit runs on a copy of the folder, so nothing is written into the tree.
 */
import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'

const root = fileURLToPath(new URL('..', import.meta.url))
t.setTimeout(120_000)

for (const [engine, dialect, schema] of [['sqlite', 'sqlite', 'src/db/schema.ts'], ['postgres', 'postgresql', 'src/db/postgres/schema.ts']] as const) {
  t.test(`migrations/${engine}/ is what ${schema} generates`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'claimledger-migrations-'))
    t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
    const out = join(dir, engine)
    cpSync(join(root, 'migrations', engine), out, { recursive: true })
    const before = readdirSync(out).sort()
    const config = join(dir, 'drizzle.config.json')
    // drizzle-kit reads `out` relative to where it runs (an absolute one it mangles, and exits 0).
    writeFileSync(config, JSON.stringify({ dialect, schema: join(root, schema), out: `./${engine}` }))
    const { stdout } = await promisify(execFile)(join(root, 'node_modules/.bin/drizzle-kit'), ['generate', '--config', config], { cwd: dir, timeout: 90_000 })
    t.match(stdout, 'No schema changes, nothing to migrate')
    t.same(readdirSync(out).sort(), before, 'no new migration file')
  })
}
