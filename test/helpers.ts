/**
 * Test harness: every call builds the real app on a fresh SQLite file (same migrations as
 * production) with one API key per role, and removes it all when the test ends.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { buildApp } from '../src/app.js'
import { systemContext } from '../src/core/context.js'
import type { Role } from '../src/core/context.js'
import { loadConfig, type Config } from '../src/config.js'
import { newId } from '../src/db/ids.js'
import type { Database_ } from '../src/db/open.js'
import type { AnyEngine } from '../src/db/connect.js'
import { openSqliteEngine } from '../src/db/sqlite/engine.js'
import { snapshot, type EngineKind } from './support/engines.js'
import { freshPostgresEngine } from './support/postgres.js'

export const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnopqrstuv'

type TapLike = Pick<Test, 'teardown' | 'pass' | 'fail'>

export interface Response extends LightMyRequestResponse {
  /** The parsed JSON body (undefined when empty). */
  data: any
}

export type Call = (method: InjectOptions['method'], url: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>

export interface Harness {
  app: FastifyInstance
  engine: AnyEngine
  /** The engine's open SQLite database (raw SQL for assertions); only on SQLite (see sqliteOnly). */
  database: Database_
  config: Config
  dir: string
  keys: Record<Role, string>
  /** A caller with the given role's key. */
  as: (role: Role | 'none' | string) => Call
}

/**
 * The engine the harness builds apps on: SQLite, or PostgreSQL in the suite's PostgreSQL leg
 * (scripts/postgres-leg.mjs sets CLAIMLEDGER_TEST_ENGINE=postgres for the files it runs again).
 */
export const TEST_ENGINE: EngineKind = process.env.CLAIMLEDGER_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite'

/** Options for a test about SQLite's own storage (its file, pragmas, raw SQL): skipped in the PostgreSQL leg. */
export const sqliteOnly = TEST_ENGINE === 'postgres' ? { skip: 'SQLite storage: the SQLite run tests it' } : {}

export async function harness (t: TapLike, env: Record<string, string> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'claimledger-test-'))
  const config = loadConfig({ DATABASE_PATH: join(dir, 'claims.db'), ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'silent', ...env })
  const engine: AnyEngine | undefined = TEST_ENGINE === 'postgres'
    ? await freshPostgresEngine(t)
    : openSqliteEngine(config.databasePath, { minFreeBytes: config.databaseMinFreeBytes })
  if (engine === undefined) throw new Error('CLAIMLEDGER_TEST_ENGINE=postgres needs TEST_DATABASE_URL')
  const app = await buildApp(config, engine, { validateResponses: true })
  const ctx = systemContext('test', newId())
  await app.services.apiKeys.bootstrap(ctx, ADMIN_KEY)
  const keys = { admin: ADMIN_KEY } as Record<Role, string>
  for (const role of ['viewer', 'reviewer', 'editor'] as const) {
    keys[role] = (await app.services.apiKeys.create(ctx, { name: `${role} key`, role })).key
  }
  t.teardown(async () => {
    await app.close()
    if (engine.kind === 'sqlite') await engine.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const as = (who: string): Call => async (method, url, body, headers = {}) => {
    const key = (keys as Record<string, string>)[who] ?? (who === 'none' ? undefined : who)
    const response = await app.inject({
      method,
      url,
      headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...headers },
      ...(body === undefined ? {} : typeof body === 'string' ? { payload: body } : { payload: body as object })
    })
    const text = response.body
    let data: unknown
    try { data = text === '' ? undefined : JSON.parse(text) } catch { data = text }
    return Object.assign(response, { data })
  }
  return {
    app,
    engine,
    // On PostgreSQL, a stand-in that fails the test at its first use (spreading the harness is fine).
    database: engine.kind === 'sqlite'
      ? engine.database
      : new Proxy({} as Database_, { get: () => { throw new Error('this test reads SQLite directly: give it the sqliteOnly option') } }),
    config,
    dir,
    keys,
    as
  }
}

/** Everything in the database, for "a failed request changed nothing" assertions (either engine). */
export const dump = snapshot

export const speakerInput = (name = 'Nikol Pashinyan') =>
  ({ name, kind: 'person', description: 'Prime Minister of Armenia', aliases: ['Pashinyan'] })

/** A create's answer as a read gives the claim: without the `possibleMatches` only a create lists. */
export function withoutMatches ({ possibleMatches, ...claim }: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(possibleMatches)) throw new Error('a create answers possibleMatches')
  return claim
}

export const claimInput = (overrides: Record<string, unknown> = {}) => ({
  text: 'There is no diplomatic solution to the conflict.',
  speaker: { name: 'Nikol Pashinyan', kind: 'person', description: 'Prime Minister of Armenia' },
  source: { title: 'Armenia calls on volunteers', publisher: 'Mail Online', url: 'https://example.com/article', publishedAt: '2020-10-21' },
  claimedAt: '2020-10-21',
  topics: ['nagorno-karabakh'],
  ...overrides
})

/**
 * Tests that run the built server or CLI (as `npm start` does) need dist/. `npm test`
 * builds once before tap starts; a lone `npx tap test/x.test.ts` builds here if needed.
 */
export function ensureBuilt (): string {
  const root = fileURLToPath(new URL('..', import.meta.url))
  if (!existsSync(join(root, 'dist/server.js'))) execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' })
  return root
}
