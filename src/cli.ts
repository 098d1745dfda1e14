/**
 * The `claimledger` command. Every subcommand works on the database named by
 * DATABASE_PATH and writes through the same stores as the API, so the audit log records
 * CLI writes too (as system actors).
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { Command, InvalidArgumentError, Option } from 'commander'
import { systemContext } from './audit/ledger.js'
import { ROLES, type Role } from './auth/roles.js'
import { newId } from './db/ids.js'
import { exportStream } from './claims/export.js'
import { csvRecords, importRecords, ndjsonRecords } from './claims/import.js'
import { exportQuery } from './claims/schemas.js'
import { Fatal, runReview } from './cli/review.js'
import { failureLine } from './db/errors.js'
import { openDatabase, type Database_ } from './db/open.js'
import { invalid, Problem } from './http/problems.js'
import { loadSeeds } from './seed.js'
import { configOrExit, serve } from './server.js'
import { createStores, type Stores } from './stores.js'
import { packageVersion } from './version.js'

/** The configured database; commands that only read refuse to create one by mistake. */
function open (mustExist: boolean): Database_ {
  const path = configOrExit().databasePath
  if (mustExist && path !== ':memory:' && !existsSync(path)) {
    throw new Fatal(`no database at ${path} (set DATABASE_PATH, or create one with \`claimledger migrate\`)`)
  }
  return openDatabase(path)
}

/** Runs `fn` on the configured database and closes it, whatever happens. */
function withStores<T> (fn: (stores: Stores) => T, mustExist = false): T {
  const database = open(mustExist)
  try {
    return fn(createStores(database))
  } finally {
    database.close()
  }
}

async function withStoresAsync<T> (fn: (stores: Stores, database: Database_) => Promise<T>, mustExist = false): Promise<T> {
  const database = open(mustExist)
  try {
    return await fn(createStores(database), database)
  } finally {
    database.close()
  }
}

function positiveInt (value: string, max: number): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`must be an integer from 1 to ${max}`)
  return n
}

export function buildCli (): Command {
  const program = new Command('claimledger')
    .description('Claimledger: attributable claims, reviewer verdicts and a tamper-evident audit history')
    .version(packageVersion)
    .showHelpAfterError()

  program.command('serve')
    .description('serve the API and the Swagger UI (what `npm start` runs)')
    .action(serve)

  program.command('migrate')
    .description('create the database if needed and apply every pending migration')
    .action(() => {
      withStores(() => undefined)
      console.log('database is up to date')
    })

  program.command('seed')
    .description('load the seed files not loaded before (idempotent)')
    .action(() => {
      const result = withStores((stores) => loadSeeds(stores))
      console.log(`seeded ${result.claims} claim(s) from ${result.loaded.length} file(s); ` +
        `${result.skipped.length} file(s) loaded before`)
    })

  const keys = program.command('keys').description('manage API keys')
  keys.command('create')
    .description('create an API key and print it (shown this once)')
    .requiredOption('--name <name>', 'who or what holds the key')
    .addOption(new Option('--role <role>', 'its role').choices(ROLES).default('viewer'))
    .action((opts: { name: string, role: Role }) => {
      const created = withStores((stores) => stores.apiKeys.create(systemContext('cli', newId()), opts))
      console.error(`created ${created.role} key "${created.name}" (id ${created.id}); the key, shown this once:`)
      console.log(created.key)
    })
  keys.command('list')
    .description('list API keys (never the secrets)')
    .action(() => {
      const list = withStores((stores) => stores.apiKeys.list(10_000), true)
      for (const k of list) console.log(`${k.id}  ${k.role.padEnd(8)}  ${k.revokedAt === null ? 'active ' : 'revoked'}  ${k.name}`)
    })
  keys.command('revoke')
    .argument('<id>', 'the key\'s id (from keys list)')
    .description('revoke an API key')
    .action((id: string) => {
      withStores((stores) => { stores.apiKeys.revoke(systemContext('cli', newId()), id) }, true)
      console.log(`revoked ${id}`)
    })

  program.command('import')
    .argument('<file>', 'NDJSON (.ndjson) or CSV (.csv) of claims, e.g. an export')
    .description('create claims from a file, straight into the database (like POST /v1/claims/import)')
    .action(async (file: string) => {
      const csv = file.toLowerCase().endsWith('.csv')
      const summary = await withStoresAsync(async (stores) => {
        const chunks = createReadStream(file)
        return await importRecords(stores, systemContext('cli', newId()), csv ? csvRecords(chunks) : ndjsonRecords(chunks))
      })
      for (const r of summary.results.filter((r) => !r.ok && r.existingId === undefined).slice(0, 20)) {
        console.error(`line ${'line' in r ? r.line : '?'}: ${r.error?.detail ?? 'failed'}`)
      }
      console.log(`created ${summary.created}, duplicates ${summary.duplicates}, failed ${summary.failed}`)
      if (summary.failed > 0) process.exitCode = 1
    })

  program.command('export')
    .description('write claims as NDJSON or CSV (the list\'s filters), streamed')
    .addOption(new Option('--format <format>', 'output format').choices(['ndjson', 'csv']).default('ndjson'))
    .option('--out <file>', 'write here instead of standard output')
    .option('--status <status>').option('--speaker-id <id>').option('--source-id <id>').option('--topic <slug>')
    .option('--claimed-from <date>').option('--claimed-to <date>').option('--sort <sort>')
    .action(async (opts: Record<string, string | undefined>) => {
      const query = exportQuery.safeParse(Object.fromEntries(Object.entries({
        format: opts.format,
        status: opts.status,
        speakerId: opts.speakerId,
        sourceId: opts.sourceId,
        topic: opts.topic,
        claimedFrom: opts.claimedFrom,
        claimedTo: opts.claimedTo,
        sort: opts.sort
      }).filter(([, v]) => v !== undefined)))
      if (!query.success) throw new InvalidArgumentError(invalid(query.error).message)
      const { format, ...filter } = query.data
      await withStoresAsync(async (stores) => {
        await pipeline(exportStream(stores, filter, format), opts.out === undefined ? process.stdout : createWriteStream(opts.out))
      }, true)
    })

  program.command('review')
    .argument('<file>', 'CSV or NDJSON with claimId, verdict, note, evidenceUrl, evidenceStance')
    .description('apply a file of verdicts through the API in idempotent batches (safe to rerun)')
    .addOption(new Option('--url <url>', 'the Claimledger API').env('CLAIMLEDGER_URL').default('http://127.0.0.1:3000'))
    .addOption(new Option('--key <key>', 'an API key with the reviewer role').env('CLAIMLEDGER_KEY'))
    .option('--batch-size <n>', 'rows per request, 1..1000', (v) => positiveInt(v, 1000), 1000)
    .option('--report <file>', 'where rejected rows go (default: FILE.rejected.csv)')
    .option('--retries <n>', 'retries of a batch on 429, 5xx or network errors', (v) => positiveInt(v, 100), 8)
    .option('--dry-run', 'check every row, send nothing')
    .action(async (file: string, opts: { url: string, key?: string, batchSize: number, report?: string, retries: number, dryRun?: boolean }) => {
      if (opts.key === undefined && opts.dryRun !== true) throw new InvalidArgumentError('--key (or CLAIMLEDGER_KEY) is required')
      const report = opts.report ?? `${file}.rejected.csv`
      const summary = await runReview({
        file,
        url: opts.url,
        key: opts.key ?? '',
        batchSize: opts.batchSize,
        report,
        dryRun: opts.dryRun === true,
        retries: opts.retries,
        backoff: 250,
        progress: process.stderr.isTTY,
        log: (line) => console.error(line)
      })
      const verb = opts.dryRun === true ? 'would apply' : 'applied'
      const applied = opts.dryRun === true ? summary.rows - summary.rejected.length : summary.applied
      console.log(`${summary.rows} rows: ${verb} ${applied}, rejected ${summary.rejected.length}` +
        (summary.replayedBatches > 0 ? ` (${summary.replayedBatches} batch(es) had been applied before: replayed, not re-applied)` : '') +
        (summary.rejected.length > 0 ? `; rejected rows are in ${report}` : ''))
      if (summary.rejected.length > 0) process.exitCode = 1
    })

  program.command('backup')
    .argument('<path>', 'file to write the copy to')
    .description('copy the database while it is in use (SQLite online backup), then verify the copy\'s chain')
    .action(async (path: string) => {
      await withStoresAsync(async (_stores, database) => { await database.sqlite.backup(path) }, true)
      const copy = openDatabase(path)
      try {
        const result = createStores(copy).ledger.verify()
        console.log(`backed up to ${path}: ${JSON.stringify(result)}`)
        if (!result.ok) process.exitCode = 1
      } finally {
        copy.close()
      }
    })

  program.command('audit').description('the audit history')
    .command('verify')
    .description('walk the hash chain; exit 1 if it is broken')
    .action(() => {
      const result = withStores((stores) => stores.ledger.verify(), true)
      console.log(JSON.stringify(result))
      if (!result.ok) process.exitCode = 1
    })

  return program
}

try {
  await buildCli().parseAsync(process.argv)
} catch (error) {
  // Expected failures get one line; anything else is a bug and keeps its stack.
  const line = error instanceof Fatal || error instanceof InvalidArgumentError || error instanceof Problem
    ? error.message
    : failureLine(error)
  if (line === undefined) throw error
  console.error(`claimledger: ${line}`)
  process.exitCode = 2
}
