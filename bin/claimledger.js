#!/usr/bin/env node
// The `claimledger` command: the compiled CLI (built by `npm ci` / `npm run build`).
import { existsSync } from 'node:fs'

if (!existsSync(new URL('../dist/cli.js', import.meta.url))) {
  process.stderr.write('claimledger: not built yet: run `npm run build` (npm ci does it) in the project folder\n')
  process.exit(2)
}
await import('../dist/cli.js')
