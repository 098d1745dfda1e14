/** Command-line flags of `npm run bench`. */
import { parseArgs } from 'node:util'

export interface BenchOptions {
  /** Claims in the main database (default 1,000,000). */
  claims: number
  /** The smaller database the list/search scenarios are repeated on, to show growth. */
  smallClaims: number
  /** Seconds of load per scenario. */
  duration: number
  /** Concurrent connections autocannon keeps open. */
  connections: number
  /** Write the figures here as JSON. */
  json?: string | undefined
  /** Run the server children with --cpu-prof, profiles into bench/.data/profiles. */
  profile: boolean
  /** The engine the server runs on; PostgreSQL needs `databaseUrl`. */
  engine: 'sqlite' | 'postgres'
  /** A PostgreSQL server (a role that may create databases) for --engine postgres. */
  databaseUrl?: string | undefined
}

const USAGE = `Usage: npm run bench -- [--claims N] [--duration S] [--connections C] [--json FILE] [--profile]
                       [--engine sqlite|postgres] [--database-url postgres://…]

  --claims N       claims in the benchmark database (default 1000000)
  --duration S     seconds of load per scenario (default 8)
  --connections C  concurrent connections (default 10)
  --json FILE      also write { scenario: { reqPerSec, p50Ms, p99Ms, ratio } } to FILE
  --profile        write the servers' CPU profiles (node --cpu-prof) to bench/.data/profiles
  --engine E       sqlite (default) or postgres: the same generated data, copied row for row into
                   PostgreSQL (claimledger copy) and cached there as a database of its own
  --database-url U the PostgreSQL server for --engine postgres (its role needs CREATEDB)`

function positiveInt (name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value.replace(/_/g, ''))
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer (got ${JSON.stringify(value)})\n\n${USAGE}`)
  return n
}

function engineOf (engine: string | undefined, url: string | undefined): BenchOptions['engine'] {
  if (engine === undefined || engine === 'sqlite') return 'sqlite'
  if (engine !== 'postgres') throw new Error(`--engine must be sqlite or postgres (got ${JSON.stringify(engine)})\n\n${USAGE}`)
  if (url === undefined || !/^postgres(ql)?:\/\//.test(url)) throw new Error(`--engine postgres needs --database-url postgres://…\n\n${USAGE}`)
  return 'postgres'
}

export function parseOptions (argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      claims: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      json: { type: 'string' },
      profile: { type: 'boolean' },
      engine: { type: 'string' },
      'database-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    },
    strict: true
  })
  if (values.help === true) {
    process.stdout.write(USAGE + '\n')
    process.exit(0)
  }
  const claims = positiveInt('claims', values.claims, 1_000_000)
  return {
    claims,
    // The growth comparison is "N versus 10k"; a run at 10k or less has nothing smaller to compare.
    smallClaims: Math.min(10_000, claims),
    duration: positiveInt('duration', values.duration, 8),
    connections: positiveInt('connections', values.connections, 10),
    json: values.json,
    profile: values.profile === true,
    engine: engineOf(values.engine, values['database-url']),
    databaseUrl: values['database-url']
  }
}
