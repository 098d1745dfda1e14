/**
 * `npm run bench:ops`: operational figures of the built server (dist/server.js) in its own
 * process on 127.0.0.1: /health latency during a big streamed NDJSON import, /metrics scrape
 * cost by claim count, and `claimledger backup` under a steady review write load. Prints
 * figures only; no thresholds. Progress goes to stderr, the figures to stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { percentile } from './load.js'

const { values } = parseArgs({ options: { lines: { type: 'string' }, runs: { type: 'string' }, extra: { type: 'string' } } })
const count = (name: string, value: string | undefined, fallback: number, min: number) => {
  const n = value === undefined ? fallback : Number(value.replace(/_/g, ''))
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min} (got ${value})`)
  return n
}
const lines = count('lines', values.lines, 20_000, 1)
const runs = count('runs', values.runs, 3, 1)
/** Claims imported after the first scrape, for a second /metrics figure (0: skip). */
const extra = count('extra', values.extra, 100_000, 0)

const root = new URL('..', import.meta.url).pathname
const out = (line: string) => process.stdout.write(line + '\n')
const log = (line: string) => process.stderr.write(line + '\n')
const started: ChildProcess[] = []
// Ctrl-C or a crash: no server or backup of ours outlives this process.
process.on('exit', () => { for (const child of started) if (child.exitCode === null) child.kill('SIGKILL') })

/** The figures are of the built server: a dist/ older than src/ would measure other code. */
function assertBuilt () {
  const newest = Math.max(...readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts')).map((f) => statSync(join(root, 'src', f)).mtimeMs))
  let builtAt = 0
  try { builtAt = statSync(join(root, 'dist/server.js')).mtimeMs } catch {}
  if (builtAt < newest) {
    log('dist/ is missing or older than src/: run `npm run build` first')
    process.exit(1)
  }
}

/** A port nobody listens on now: taken from the system, then given back for the server. */
async function freePort (): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

async function startServer (env: Record<string, string>): Promise<{ child: ChildProcess, url: string }> {
  const url = `http://127.0.0.1:${await freePort()}`
  const child = spawn(process.execPath, [join(root, 'dist/server.js')], {
    cwd: root, env: { ...process.env, ...env, PORT: new URL(url).port }, stdio: ['ignore', 'ignore', 'inherit']
  })
  started.push(child)
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(50)) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`)
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) return { child, url }
  }
  throw new Error('the server did not listen within 20 s')
}

async function stop (child: ChildProcess | undefined) {
  if (child?.pid === undefined || child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  if (await Promise.race([exited.then(() => true), sleep(15_000, false)]) === false) child.kill('SIGKILL')
}

const ms = (n: number) => n.toFixed(1)
function stats (latencies: number[]) {
  const sorted = Float64Array.from(latencies).sort()
  return `p50 ${ms(percentile(sorted, 0.5))} / p99 ${ms(percentile(sorted, 0.99))} / max ${ms(sorted.at(-1) ?? NaN)} ms`
}
const median = (xs: number[]) => Float64Array.from(xs).sort()[Math.floor((xs.length - 1) / 2)] as number

async function timed (url: string, init?: RequestInit): Promise<{ ms: number, status: number, body: string }> {
  const t = performance.now()
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(120_000) })
  const body = await response.text()
  return { ms: performance.now() - t, status: response.status, body }
}

const ndjson = (from: number, n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({
  text: `Imported claim ${from + i}`, speaker: { name: `Speaker ${(from + i) % 100}` }, source: { title: `Source ${(from + i) % 100}` }, claimedAt: '2020-10-21'
})).join('\n') + '\n'

async function importClaims (url: string, auth: Record<string, string>, from: number, n: number) {
  const r = await timed(`${url}/v1/claims/import`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body: ndjson(from, n) })
  if (r.status !== 200) throw new Error(`import answered ${r.status}: ${r.body.slice(0, 500)}`)
  const summary = JSON.parse(r.body) as { created: number, failed: number, results: Array<{ id?: string }> }
  if (summary.created !== n) throw new Error(`import created ${summary.created} of ${n} (${summary.failed} failed)`)
  return { ms: r.ms, ids: summary.results.flatMap((x) => x.id ?? []) }
}

async function scrapes (url: string, claims: number) {
  const latencies: number[] = []
  for (let i = 0; i < 200; i++) {
    const r = await timed(`${url}/metrics`)
    if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`)
    latencies.push(r.ms)
  }
  out(`/metrics at ${claims.toLocaleString('en')} claims, 200 sequential scrapes: ${stats(latencies)}`)
}

/** ~30 reviews a second, one at a time, until `stop.done` (at most 10 minutes); each ack's time. */
async function writer (url: string, auth: Record<string, string>, ids: string[], stop: { done: boolean }) {
  const acks: number[] = []
  let failed = 0
  const t0 = performance.now()
  for (let i = 0; !stop.done && i < 30 * 600; i++) {
    await sleep(Math.max(0, t0 + i * (1000 / 30) - performance.now()))
    const r = await timed(`${url}/v1/claims/${ids[i % ids.length]}/reviews`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ verdict: 'unverified', note: 'bench' })
    }).catch(() => undefined)
    if (r?.status === 201) acks.push(performance.now())
    else failed++
  }
  return { acks, failed }
}

async function main () {
  assertBuilt()
  const dir = mkdtempSync(join(tmpdir(), 'claimledger-ops-'))
  const key = 'ops-' + randomBytes(24).toString('hex')
  const auth = { authorization: `Bearer ${key}` }
  const database = join(dir, 'claims.db')
  let server: ChildProcess | undefined
  try {
    // A high per-key limit, as bench/server.ts sets: 30 reviews/s would otherwise meet the default 1200/min.
    const env = { DATABASE_PATH: database, ADMIN_API_KEY: key, HOST: '127.0.0.1', LOG_LEVEL: 'warn', SEED: 'false', METRICS_TOKEN: '', RATE_LIMIT_PER_MINUTE: '1000000' }
    const running = await startServer(env)
    server = running.child
    const { url } = running
    log(`server pid ${server.pid} at ${url}; database ${database}`)

    // 1. /health every 20 ms while the import runs.
    const importing = importClaims(url, auth, 0, lines)
    const imported = { done: false }
    importing.then(() => { imported.done = true }, () => { imported.done = true })
    const health: number[] = []
    for (let i = 0; !imported.done && i < 50 * 600; i++) {
      const r = await timed(`${url}/health`)
      if (r.status !== 200) throw new Error(`/health answered ${r.status}`)
      health.push(r.ms)
      await sleep(Math.max(0, 20 - r.ms))
    }
    const { ms: importMs, ids } = await importing
    out(`import of ${lines.toLocaleString('en')} NDJSON lines: ${(importMs / 1000).toFixed(2)} s, ${Math.round(lines / (importMs / 1000)).toLocaleString('en')} claims/s`)
    out(`/health during the import, ${health.length} polls: ${stats(health)}`)

    // 2. /metrics scrape cost at two claim counts.
    await scrapes(url, lines)
    if (extra > 0) {
      const t = performance.now()
      for (let done = 0; done < extra; done += lines) await importClaims(url, auth, lines + done, Math.min(lines, extra - done))
      log(`imported ${extra.toLocaleString('en')} more claims in ${((performance.now() - t) / 1000).toFixed(1)} s`)
      await scrapes(url, lines + extra)
    }

    // 3. `claimledger backup` while ~30 reviews/s are written.
    const results: Array<{ ms: number, bytes: number, acks: number, failed: number }> = []
    for (let run = 1; run <= runs; run++) {
      const target = join(dir, `backup-${run}.db`)
      const stopWriting = { done: false }
      const writing = writer(url, auth, ids, stopWriting)
      await sleep(1000) // the writer at its pace before the backup starts
      const backup = spawn(process.execPath, [join(root, 'bin/claimledger.js'), 'backup', target, '--timeout', '300'], {
        cwd: root, env: { ...process.env, DATABASE_PATH: database }, stdio: ['ignore', 'ignore', 'inherit']
      })
      started.push(backup)
      const t = performance.now()
      const code = await new Promise<number | null>((resolve) => backup.once('exit', resolve))
      const end = performance.now()
      await sleep(500)
      stopWriting.done = true
      const { acks, failed } = await writing
      if (code !== 0) throw new Error(`backup run ${run} exited with ${code}`)
      const during = acks.filter((at) => at >= t && at <= end).length
      results.push({ ms: end - t, bytes: statSync(target).size, acks: during, failed })
      out(`backup run ${run}: ${((end - t) / 1000).toFixed(2)} s, ${(statSync(target).size / 1e6).toFixed(1)} MB, ` +
        `${during} reviews acknowledged during it (${(during / ((end - t) / 1000)).toFixed(1)}/s), ${failed} writes failed in the run`)
    }
    out(`backup median of ${runs}: ${(median(results.map((r) => r.ms)) / 1000).toFixed(2)} s, ${(median(results.map((r) => r.bytes)) / 1e6).toFixed(1)} MB, ` +
      `${median(results.map((r) => r.acks))} reviews acknowledged during it`)
  } finally {
    await stop(server)
    for (const child of started) if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:ops: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})
