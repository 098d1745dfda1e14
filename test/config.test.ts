import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.js'

t.test('defaults follow API.md', async (t) => {
  t.same(loadConfig({}), {
    port: 3000,
    host: '127.0.0.1',
    databasePath: './data/claims.db',
    databasePoolSize: 10,
    databaseMinFreeBytes: 64 * 1024 * 1024,
    adminApiKey: undefined,
    seed: undefined,
    logLevel: 'info',
    rateLimitPerMinute: 1200,
    importCommitMs: 500,
    authFailuresPerMinute: 20,
    metricsToken: undefined,
    corsOrigins: [],
    publisherName: 'Claimledger',
    publisherUrl: undefined
  })
  t.ok(Object.isFrozen(loadConfig({})))
})

t.test('values are parsed; empty strings count as unset', async (t) => {
  const config = loadConfig({
    PORT: '8080',
    HOST: '0.0.0.0',
    DATABASE_PATH: ':memory:',
    SEED: 'false',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '60',
    CORS_ORIGINS: 'https://a.example, http://b.example:8080',
    PUBLISHER_NAME: 'Newsroom',
    PUBLISHER_URL: 'https://newsroom.example',
    ADMIN_API_KEY: ''
  })
  t.match(config, { port: 8080, host: '0.0.0.0', databasePath: ':memory:', seed: false, logLevel: 'warn', rateLimitPerMinute: 60 })
  t.same(config.corsOrigins, ['https://a.example', 'http://b.example:8080'])
  t.equal(config.adminApiKey, undefined)
  t.equal(loadConfig({ SEED: 'true' }).seed, true)
})

t.test('a bad value names its variable in one line', async (t) => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty' }, /^Invalid configuration: PORT .*"eighty"/],
    [{ PORT: '70000' }, /PORT/],
    [{ SEED: 'maybe' }, /SEED/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ RATE_LIMIT_PER_MINUTE: '0' }, /RATE_LIMIT_PER_MINUTE/],
    [{ IMPORT_COMMIT_MS: '-1' }, /IMPORT_COMMIT_MS/],
    [{ IMPORT_COMMIT_MS: '5000' }, /IMPORT_COMMIT_MS/],
    [{ AUTH_FAILURES_PER_MINUTE: 'many' }, /AUTH_FAILURES_PER_MINUTE/],
    [{ METRICS_TOKEN: 'too-short' }, /^Invalid configuration: METRICS_TOKEN must be at least 16 characters$/],
    [{ CORS_ORIGINS: 'not a url' }, /CORS_ORIGINS/],
    [{ PUBLISHER_URL: 'ftp://x.example' }, /PUBLISHER_URL/],
    [{ ADMIN_API_KEY: 'has a space' }, /^Invalid configuration: ADMIN_API_KEY must not contain whitespace$/]
  ]
  for (const [env, message] of bad) {
    t.throws(() => loadConfig(env), ConfigError)
    try { loadConfig(env) } catch (error) {
      t.match((error as Error).message, message)
      t.notMatch((error as Error).message, /\n/)
    }
  }
  t.notMatch((() => { try { loadConfig({ ADMIN_API_KEY: 'short secret' }) } catch (e) { return (e as Error).message } return '' })(), /short secret/, 'a secret is never echoed')
})
