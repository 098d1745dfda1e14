/**
 * Configuration: parsed once from the environment into a frozen object that is passed
 * in; nothing else reads process.env. A bad value stops the start with one line naming
 * the variable.
 */
import { z } from 'zod'

const boolean = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes')

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_PATH: z.string().min(1).default('./data/claims.db'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// (or postgresql://) URL').optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(1000).default(10),
  DATABASE_MIN_FREE_MB: z.coerce.number().int().min(0).max(1_000_000).default(64),
  ADMIN_API_KEY: z.string().max(256).regex(/^\S+$/, 'must not contain whitespace').optional(),
  SEED: boolean.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(1200),
  // Under the 5 s other writers wait for the lock (busy_timeout, lock_timeout) before they give up.
  IMPORT_COMMIT_MS: z.coerce.number().int().min(0).max(4000).default(500),
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(20),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').max(256).regex(/^\S+$/, 'must not contain whitespace').optional(),
  CORS_ORIGINS: z.string().transform((v) => v.split(',').map((o) => o.trim()).filter((o) => o !== ''))
    .pipe(z.array(z.url({ protocol: /^https?$/ }))).optional(),
  PUBLISHER_NAME: z.string().min(1).max(200).default('Claimledger'),
  PUBLISHER_URL: z.url({ protocol: /^https?$/ }).optional()
})

/** Variables whose values an error message never repeats. */
const SECRETS = new Set(['ADMIN_API_KEY', 'METRICS_TOKEN', 'DATABASE_URL'])

/** The one definition of the configuration: its type is derived from the schema, never written twice. */
const toConfig = (e: z.output<typeof schema>) => Object.freeze({
  port: e.PORT,
  host: e.HOST,
  databasePath: e.DATABASE_PATH,
  /** A PostgreSQL URL: when set, the database is there (DATABASE_PATH is not used). */
  databaseUrl: e.DATABASE_URL,
  /** Connections each process keeps to PostgreSQL at most. */
  databasePoolSize: e.DATABASE_POOL_SIZE,
  /** /ready fails when the database's disk has less free space than this (0: never). */
  databaseMinFreeBytes: e.DATABASE_MIN_FREE_MB * 1024 * 1024,
  adminApiKey: e.ADMIN_API_KEY,
  /** undefined: seed only an empty database (the default). */
  seed: e.SEED,
  logLevel: e.LOG_LEVEL,
  rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
  /** How long one transaction of an import may hold the write lock (writes wait that long at most; reads never). */
  importCommitMs: e.IMPORT_COMMIT_MS,
  authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
  /** undefined: /metrics is open to anyone who can reach it. */
  metricsToken: e.METRICS_TOKEN,
  corsOrigins: Object.freeze(e.CORS_ORIGINS ?? []),
  publisherName: e.PUBLISHER_NAME,
  publisherUrl: e.PUBLISHER_URL
})

export type Config = ReturnType<typeof toConfig>

export class ConfigError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** Reads the environment; empty strings count as unset. Throws ConfigError naming the first bad variable. */
export function loadConfig (env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''))
  const result = schema.safeParse(present)
  if (!result.success) {
    const issue = result.error.issues[0]!
    const name = String(issue.path[0])
    const shown = SECRETS.has(name) ? '' : ` (got ${JSON.stringify(present[name])})`
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message}${shown}`)
  }
  return toConfig(result.data)
}
