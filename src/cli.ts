/**
 * The `claimledger` command. Every subcommand works on the database named by
 * DATABASE_PATH and writes through the same stores as the API, so the audit log records
 * CLI writes too (as system actors).
 */
import { Command, Option } from 'commander'
import { systemContext } from './audit/ledger.js'
import { ROLES, type Role } from './auth/roles.js'
import { newId } from './db/ids.js'
import { openDatabase } from './db/open.js'
import { loadSeeds } from './seed.js'
import { configOrExit, serve } from './server.js'
import { createStores, type Stores } from './stores.js'

/** Runs `fn` on the configured database and closes it, whatever happens. */
function withStores<T> (fn: (stores: Stores) => T): T {
  const database = openDatabase(configOrExit().databasePath)
  try {
    return fn(createStores(database))
  } finally {
    database.close()
  }
}

export function buildCli (): Command {
  const program = new Command('claimledger')
    .description('Claimledger: attributable claims, reviewer verdicts and a tamper-evident audit history')
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
      console.log(created.key)
    })

  program.command('audit').description('the audit history')
    .command('verify')
    .description('walk the hash chain; exit 1 if it is broken')
    .action(() => {
      const result = withStores((stores) => stores.ledger.verify())
      console.log(JSON.stringify(result))
      if (!result.ok) process.exitCode = 1
    })

  return program
}

await buildCli().parseAsync(process.argv)
