/**
 * One scenario = one autocannon run over a real socket. Latencies are collected from
 * autocannon's per-response event rather than its histogram, which stores whole
 * milliseconds and would show a 0.4 ms p50 as 0.
 */
import autocannon from 'autocannon'

export interface Figures {
  /** Successful (2xx) responses per second. */
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  /** 2xx responses counted. */
  ok: number
  /** Other responses and connection errors: a run with any is reported, not silently averaged. */
  failed: number
  seconds: number
  /** The successful responses' latencies added up: with one connection, the time spent waiting for answers. */
  latencySeconds: number
  /** How far the scenario's `counter` moved during the measured run (bytes written to disk, say). */
  counted?: number | undefined
}

export interface Scenario {
  url: string
  headers?: Record<string, string>
  method?: 'GET' | 'POST'
  path: string
  body?: string
  /** Picks the path or body of each request (random ids, successive bulk bodies). */
  setupRequest?: (request: autocannon.Request) => autocannon.Request
  connections: number
  /** Seconds; ignored when `amount` is given. */
  duration: number
  /** Exactly this many requests, then stop. */
  amount?: number
  /** Per-request timeout in seconds. */
  timeout?: number
  /** Read before and after the measured run (not the warm-up): Figures.counted is the difference. */
  counter?: (() => Promise<number | undefined>) | undefined
}

export function percentile (sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number
}

export async function load (scenario: Scenario): Promise<Figures> {
  const before = await scenario.counter?.()
  const figures = await run(scenario)
  const after = await scenario.counter?.()
  return { ...figures, counted: before === undefined || after === undefined ? undefined : after - before }
}

function run (scenario: Scenario): Promise<Figures> {
  const latencies: number[] = []
  // Wall time of our own: autocannon reports whole-ish seconds, which for a run of a few
  // bulk requests (under a second each) overstated their rate by up to 40%.
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url: scenario.url + scenario.path,
      connections: scenario.connections,
      duration: scenario.duration,
      ...(scenario.amount === undefined ? {} : { amount: scenario.amount }),
      timeout: scenario.timeout ?? 10,
      headers: scenario.headers ?? {},
      requests: [{
        method: scenario.method ?? 'GET',
        path: scenario.path,
        ...(scenario.body === undefined ? {} : { body: scenario.body }),
        ...(scenario.setupRequest === undefined ? {} : { setupRequest: scenario.setupRequest })
      }]
    }, (error: unknown, result: autocannon.Result) => {
      if (error != null) return reject(error instanceof Error ? error : new Error(String(error)))
      const sorted = Float64Array.from(latencies).sort()
      const seconds = (performance.now() - started) / 1000
      resolve({
        reqPerSec: latencies.length / seconds,
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
        ok: latencies.length,
        failed: result.non2xx + result.errors,
        seconds,
        latencySeconds: latencies.reduce((sum, ms) => sum + ms, 0) / 1000
      })
    })
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime)
    })
  })
}

/** A short unmeasured run first, so the JIT and SQLite's page cache are warm for the route. */
export async function measure (scenario: Scenario, warmupSeconds: number): Promise<Figures> {
  if (scenario.amount === undefined && warmupSeconds > 0) await run({ ...scenario, duration: warmupSeconds })
  return await load(scenario)
}
