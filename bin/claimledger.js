#!/usr/bin/env node
// The `claimledger` command: the compiled CLI (built by `npm ci` / `npm run build`).
import '../dist/cli.js'
