/**
 * `npm run openapi` writes openapi/openapi.json from the code; `npm run openapi:check`
 * fails when the committed file differs, so the published contract cannot drift.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { openSqliteEngine } from '../src/db/sqlite/engine.js'

export const openapiPath = fileURLToPath(new URL('../openapi/openapi.json', import.meta.url))

/** The OpenAPI document as the running code produces it, formatted as committed. */
export async function renderOpenapi (): Promise<string> {
  const engine = openSqliteEngine(':memory:')
  const app = await buildApp(loadConfig({}), engine)
  await app.ready()
  const text = JSON.stringify(app.swagger(), null, 2) + '\n'
  await app.close()
  await engine.close()
  return text
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2]
  const text = await renderOpenapi()
  if (mode === '--write') {
    writeFileSync(openapiPath, text)
    console.log(`wrote ${openapiPath}`)
  } else if (readFileSync(openapiPath, 'utf8') !== text) {
    console.error('openapi/openapi.json is out of date: run `npm run openapi` and commit the result')
    process.exit(1)
  } else {
    console.log('openapi/openapi.json matches the code')
  }
}
