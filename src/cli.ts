/**
 * The `claimledger` command. Every subcommand works on the database named by
 * DATABASE_PATH and writes through the same services as the API, so the audit log records
 * CLI writes too (as system actors).
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { Command, InvalidArgumentError, Option } from 'commander'
import { systemContext } from './core/context.js'
import { ROLES, type Role } from './core/context.js'
import { newId } from './db/ids.js'
import { exportStream } from './modules/claims/export.js'
import { csvRecords, importRecords, ndjsonRecords } from './modules/claims/import.js'
import { exportQuery } from './modules/claims/schemas.js'
import { backup, restore } from './cli/backup.js'
import { copyToPostgres, withServices } from './cli/database.js'
import { Fatal } from './cli/fatal.js'
import { assertReadable } from './cli/files.js'
import { runReview } from './cli/review.js'
import { failureLine } from './db/errors.js'
import { DomainError, invalidFrom } from './core/errors.js'
import { loadSeeds } from './seed.js'
import { configOrExit, serve } from './server.js'
import { packageVersion } from './version.js'

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
    .action(async () => {
      await withServices(true, () => undefined)
      console.log('database is up to date')
    })

  program.command('seed')
    .description('load the seed files not loaded before (idempotent)')
    .action(async () => {
      const result = await withServices(true, (services) => loadSeeds(services))
      console.log(`seeded ${result.claims} claim(s) from ${result.loaded.length} file(s); ` +
        `${result.skipped.length} file(s) loaded before`)
    })

  const keys = program.command('keys').description('manage API keys')
  keys.command('create')
    .description('create an API key and print it (shown this once)')
    .requiredOption('--name <name>', 'who or what holds the key')
    .addOption(new Option('--role <role>', 'its role').choices(ROLES).default('viewer'))
    .option('--create', 'create the database if there is none (else: refuse, the server would not know the key)')
    .action(async (opts: { name: string, role: Role, create?: boolean }) => {
      const created = await withServices(opts.create === true, (services) => services.apiKeys.create(systemContext('cli', newId()), opts))
      console.error(`created ${created.role} key "${created.name}" (id ${created.id}); the key, shown this once:`)
      console.log(created.key)
    })
  keys.command('list')
    .description('list API keys (never the secrets)')
    .action(async () => {
      const list = await withServices(false, (services) => services.apiKeys.list(10_000))
      for (const k of list) console.log(`${k.id}  ${k.role.padEnd(8)}  ${k.revokedAt === null ? 'active ' : 'revoked'}  ${k.name}`)
    })
  keys.command('revoke')
    .argument('<id>', 'the key\'s id (from keys list)')
    .description('revoke an API key')
    .action(async (id: string) => {
      await withServices(false, async (services) => { await services.apiKeys.revoke(systemContext('cli', newId()), id) })
      console.log(`revoked ${id}`)
    })

  program.command('import')
    .argument('<file>', 'NDJSON (.ndjson) or CSV (.csv) of claims, e.g. an export')
    .description('create claims from a file, straight into the database (like POST /v1/claims/import)')
    .option('--create', 'create the database if there is none')
    .action(async (file: string, opts: { create?: boolean }) => {
      assertReadable(file)
      const csv = file.toLowerCase().endsWith('.csv')
      const summary = await withServices(opts.create === true, async (services) => {
        const chunks = createReadStream(file)
        return await importRecords(services, systemContext('cli', newId()), csv ? csvRecords(chunks) : ndjsonRecords(chunks))
      })
      for (const r of summary.results.filter((r) => !r.ok && r.existingId === undefined).slice(0, 20)) {
        console.error(`line ${'line' in r ? r.line : '?'}: ${r.error?.message ?? 'failed'}`)
      }
      console.log(`created ${summary.created}, duplicates ${summary.duplicates}, failed ${summary.failed}`)
      if (summary.failed > 0) process.exitCode = 1
    })

  program.command('export')
    .description('write claims as NDJSON or CSV, streamed; the filters are those of GET /v1/claims')
    .addOption(new Option('--format <format>', 'output format').choices(['ndjson', 'csv']).default('ndjson'))
    .option('--out <file>', 'write here instead of standard output')
    .addOption(new Option('--status <status>', 'only claims with this status').choices(['unverified', 'corroborated', 'disputed']))
    .option('--speaker-id <id>', 'only claims by this speaker (a UUID: see GET /v1/speakers)')
    .option('--source-id <id>', 'only claims from this source (a UUID: see GET /v1/sources)')
    .option('--topic <slug>', 'only claims with this topic, e.g. ceasefire')
    .option('--claimed-from <date>', 'only claims made on or after this date (YYYY-MM-DD)')
    .option('--claimed-to <date>', 'only claims made on or before this date (YYYY-MM-DD)')
    .addOption(new Option('--sort <sort>', 'order of the records (default: newest claimedAt first)')
      .choices(['-claimedAt', 'claimedAt', '-createdAt', 'createdAt', '-updatedAt', '-lastReviewedAt']))
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
      if (!query.success) throw new InvalidArgumentError(invalidFrom(query.error).message)
      const { format, ...filter } = query.data
      await withServices(false, async (services) => {
        await pipeline(exportStream(services, filter, format), opts.out === undefined ? process.stdout : createWriteStream(opts.out))
      })
    })

  program.command('review')
    .argument('<file>', 'CSV or NDJSON with claimId, verdict, note, evidenceUrl, evidenceStance (optional: evidenceTitle, expectedVersion, clientRef)')
    .description('apply a file of verdicts through the API; rerunning it (edited or not, any time) never applies a row twice')
    .addOption(new Option('--url <url>', 'the Claimledger API').env('CLAIMLEDGER_URL').default('http://127.0.0.1:3000'))
    .addOption(new Option('--key <key>', 'an API key with the reviewer role').env('CLAIMLEDGER_KEY'))
    .option('--batch-size <n>', 'rows per request, 1..1000', (v) => positiveInt(v, 1000), 1000)
    .option('--job <name>', 'what the rows belong to: a row is applied once per job and claim (default: the file\'s name)')
    .option('--report <file>', 'where rejected rows go (default: FILE.rejected.csv, or .ndjson for NDJSON)')
    .option('--retries <n>', 'retries of a batch on 429, 5xx, timeouts or dropped connections', (v) => positiveInt(v, 100), 8)
    .option('--timeout <seconds>', 'time limit of one request', (v) => positiveInt(v, 3600), 120)
    .option('--dry-run', 'check every row, send nothing')
    .action(async (file: string, opts: { url: string, key?: string, batchSize: number, job?: string, report?: string, retries: number, timeout: number, dryRun?: boolean }) => {
      if (opts.key === undefined && opts.dryRun !== true) throw new InvalidArgumentError('--key (or CLAIMLEDGER_KEY) is required')
      const summary = await runReview({
        file,
        url: opts.url,
        key: opts.key ?? '',
        batchSize: opts.batchSize,
        job: opts.job,
        report: opts.report,
        dryRun: opts.dryRun === true,
        retries: opts.retries,
        backoff: 250,
        timeout: opts.timeout * 1000,
        progress: process.stderr.isTTY,
        log: (line) => console.error(line)
      })
      const rejected = summary.rejected.length
      console.log(opts.dryRun === true
        ? `${summary.rows} rows: would send ${summary.rows - rejected}, rejected ${rejected}`
        : `${summary.rows} rows: applied ${summary.applied}, applied before ${summary.appliedBefore} (not applied again), rejected ${rejected}`)
      const reportWritten = opts.dryRun !== true || (opts.report !== undefined && opts.report !== file)
      if (rejected > 0 && !reportWritten) console.log('the rejected rows are listed above, with line and reason; a dry run writes no report unless --report names one')
      else if (rejected > 0) console.log(`rejected rows, with line and reason, are in ${summary.report}: fix them there and run it as it is`)
      if (summary.staleReportRemoved) console.log(`removed ${summary.report}, left by an earlier run: nothing is rejected now`)
      else if (rejected === 0 && summary.report === file && opts.dryRun !== true) console.log(`every row of ${file} has gone through now: it can be deleted`)
      if (rejected > 0) process.exitCode = 1
    })

  program.command('backup')
    .argument('<path>', 'new file to write the copy to (never overwritten)')
    .description('copy the database while the server runs (a consistent snapshot), then check the copy and its chain')
    .option('--timeout <seconds>', 'give up after this long', (v) => positiveInt(v, 86_400), 3600)
    .action(async (path: string, opts: { timeout: number }) => {
      const source = await withServices(false, (_services, engine) => {
        if (engine.kind === 'postgres') {
          throw new Fatal('the database is PostgreSQL (DATABASE_URL): back it up with its own tools, pg_dump or your ' +
            'provider\'s snapshots (README, "Running on PostgreSQL"); `claimledger audit verify` checks its chain')
        }
        return engine.database.sqlite.name
      })
      const started = Date.now()
      const copy = await backup(source, path, { timeoutMs: opts.timeout * 1000, progress: process.stderr.isTTY, log: (line) => console.error(line) })
      const head = copy.chain.ok ? copy.chain.head : null
      console.log(`backed up to ${path}: ${(copy.bytes / 1e6).toFixed(1)} MB, ${copy.chain.events} audit events, chain ok` +
        `${head === null ? '' : ` (head seq ${head.seq})`}, in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    })

  program.command('restore')
    .argument('<backup>', 'a file made by `claimledger backup`')
    .description('replace the database at DATABASE_PATH with a checked backup (stop the server first)')
    .action((backupPath: string) => {
      assertReadable(backupPath)
      const config = configOrExit()
      if (config.databaseUrl !== undefined) throw new Fatal('the database is PostgreSQL (DATABASE_URL): restore it with pg_restore (README, "Running on PostgreSQL")')
      const target = config.databasePath
      if (target === ':memory:') throw new Fatal('DATABASE_PATH is :memory:: there is nothing to restore into')
      const restored = restore(backupPath, target)
      console.log(`restored ${backupPath} to ${target}: ${restored.chain.events} audit events, chain ok` +
        (restored.replaced === undefined ? '' : `; the database it replaced is kept as ${restored.replaced}`))
    })

  program.command('copy')
    .description('copy the whole SQLite database (DATABASE_PATH) into a new PostgreSQL database, keeping every id and the audit chain')
    .requiredOption('--to <url>', 'the PostgreSQL database (postgres://…), migrated here if needed and empty')
    .action(async (opts: { to: string }) => {
      const config = configOrExit()
      if (config.databaseUrl !== undefined) throw new Fatal('copy reads the SQLite database at DATABASE_PATH: unset DATABASE_URL')
      if (!/^postgres(ql)?:\/\//.test(opts.to)) throw new Fatal('--to must be a postgres:// URL')
      const result = await copyToPostgres(config.databasePath, opts.to, (line) => console.error(line))
      console.log(`copied ${result.claims} claims, ${result.reviews} reviews, ${result.auditEvents} audit events (chain ok, head seq ${result.head})`)
    })

  program.command('audit').description('the audit history')
    .command('verify')
    .description('walk the hash chain; exit 1 if it is broken')
    .action(async () => {
      const result = await withServices(false, (services) => services.ledger.verify())
      console.log(JSON.stringify(result))
      if (!result.ok) process.exitCode = 1
    })

  return program
}

try {
  await buildCli().parseAsync(process.argv)
} catch (error) {
  // Expected failures get one line; anything else is a bug and keeps its stack.
  const line = error instanceof Fatal || error instanceof InvalidArgumentError || error instanceof DomainError
    ? error.message
    : failureLine(error)
  if (line === undefined) throw error
  console.error(`claimledger: ${line}`)
  process.exitCode = 2
}
