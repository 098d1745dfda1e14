import { readFileSync } from 'node:fs'

/** This build's version, from package.json (one level above both src/ and dist/). */
export const packageVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
