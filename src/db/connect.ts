/**
 * Opens the engine the configuration names: PostgreSQL when DATABASE_URL is set, else the
 * SQLite file at DATABASE_PATH. Either is created (SQLite) and migrated as needed.
 */
import type { Config } from '../config.js'
import { openPostgresEngine, type PostgresEngine } from './postgres/engine.js'
import { openSqliteEngine, type SqliteEngine } from './sqlite/engine.js'

export type AnyEngine = SqliteEngine | PostgresEngine

export type EngineConfig = Pick<Config, 'databasePath' | 'databaseUrl' | 'databasePoolSize' | 'databaseMinFreeBytes'>

export async function openEngine (config: EngineConfig): Promise<AnyEngine> {
  if (config.databaseUrl !== undefined) return await openPostgresEngine(config.databaseUrl, { max: config.databasePoolSize })
  return openSqliteEngine(config.databasePath, { minFreeBytes: config.databaseMinFreeBytes })
}

/** Where the data is, for logs and messages: the SQLite file, or the PostgreSQL server and database (never the password). */
export function describeDatabase (config: Pick<Config, 'databasePath' | 'databaseUrl'>): string {
  if (config.databaseUrl === undefined) return config.databasePath
  try {
    const url = new URL(config.databaseUrl)
    return `postgres://${url.username === '' ? '' : decodeURIComponent(url.username) + '@'}${url.host}${url.pathname}`
  } catch {
    return 'postgres://(unparsable URL)'
  }
}
