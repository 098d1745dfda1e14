/**
 * Running the built server and CLI as `npm start` and `claimledger` do, in their own
 * processes on 127.0.0.1, for the tests that need the real thing.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { once } from 'node:events'
import { ensureBuilt } from './helpers.js'

const root = ensureBuilt()

/** Spawn options that make file permissions bite: root ignores them, so as root the child runs as nobody. */
export const unprivileged: Pick<SpawnOptions, 'uid' | 'gid'> = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}

/**
 * `node args…` with only `env` (and PATH). Through `env -u NODE_OPTIONS` (which execs node
 * in the same process): tap adds its coverage loader to NODE_OPTIONS of every child, which
 * makes a start several times slower and fails for a child running as another user.
 */
export const node = (args: string[], env: Record<string, string>, options: Pick<SpawnOptions, 'uid' | 'gid'> = {}) =>
  spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, ...args],
    { cwd: root, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...options })

export interface Running { child: ChildProcess, base: string, output: () => string }

/** Starts the server and resolves once it logs its listening address. */
export async function startServer (env: Record<string, string>, options: Pick<SpawnOptions, 'uid' | 'gid'> = {}): Promise<Running> {
  const child = node(['dist/server.js'], { PORT: '0', LOG_LEVEL: 'info', ...env }, options)
  let output = ''
  child.stdout?.on('data', (chunk) => { output += String(chunk) })
  child.stderr?.on('data', (chunk) => { output += String(chunk) })
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start:\n' + output)), 30_000)
    const check = () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match !== null) { clearTimeout(timer); resolve(match[1] as string) }
    }
    child.stdout?.on('data', check)
    child.once('exit', () => { clearTimeout(timer); reject(new Error('server exited:\n' + output)) })
  })
  return { child, base, output: () => output }
}

export async function stop (running: Running): Promise<number | null> {
  const exited = once(running.child, 'exit')
  running.child.kill('SIGTERM')
  const [code] = await exited
  return code as number | null
}

/** Runs the server or CLI to its end (it must end by itself within 30 s) and collects what it said. */
export async function runToExit (args: string[], env: Record<string, string>, options: Pick<SpawnOptions, 'uid' | 'gid'> = {}) {
  const child = node(args, env, options)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => { stdout += String(chunk) })
  child.stderr.on('data', (chunk) => { stderr += String(chunk) })
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const [code, signal] = await once(child, 'exit') as [number | null, NodeJS.Signals | null]
  clearTimeout(timer)
  return { code, signal, stdout, stderr }
}
