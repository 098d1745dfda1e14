/**
 * Loads `seeds/*.json` (the claims of the article Claimledger ships with) through the same
 * stores as the API, so the audit log records every seeded speaker, source and claim under
 * a system actor named for the seed. Idempotent: what already exists is left alone.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { systemContext } from './audit/ledger.js'
import { claimFields, type ClaimCreate } from './claims/schemas.js'
import { newId } from './db/ids.js'
import { sourceCreate } from './sources/schemas.js'
import { speakerCreate } from './speakers/schemas.js'
import type { Stores } from './stores.js'

export const seedsFolder = resolve(fileURLToPath(new URL('../seeds', import.meta.url)))

/** A seed file: one source, its speakers, and claims naming their speaker by name. */
const seedFile = z.strictObject({
  source: sourceCreate,
  speakers: z.array(speakerCreate).min(1),
  claims: z.array(claimFields.omit({ speakerId: true, speaker: true, sourceId: true, source: true })
    .extend({ speaker: z.string() })).min(1)
})

export interface SeedResult { files: number, created: number, existing: number }

export function isEmpty (stores: Stores): boolean {
  return stores.speakers.list({ limit: 1 }).length === 0 &&
    stores.sources.list({ limit: 1 }).length === 0 &&
    stores.claims.list({ sort: '-createdAt', limit: 1 }).items.length === 0
}

export function loadSeeds (stores: Stores, folder = seedsFolder): SeedResult {
  const result: SeedResult = { files: 0, created: 0, existing: 0 }
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.json')).sort()) {
    const data = seedFile.parse(JSON.parse(readFileSync(join(folder, file), 'utf8')))
    const ctx = systemContext(`seed ${file}`, newId())
    stores.database.transaction(() => {
      const at = new Date().toISOString()
      const source = stores.sources.findOrCreate(ctx, data.source, at)
      const speakerIds = new Map(data.speakers.map((s) => [s.name, stores.speakers.findOrCreate(ctx, s, at).id]))
      for (const { speaker, ...claim } of data.claims) {
        const speakerId = speakerIds.get(speaker)
        if (speakerId === undefined) throw new Error(`${file}: claim names unknown speaker "${speaker}"`)
        const input: ClaimCreate = { ...claim, speakerId, sourceId: source.id }
        if (stores.claims.findDuplicate(speakerId, input.claimedAt, input.text) !== undefined) {
          result.existing++
        } else {
          stores.claims.insert(ctx, input, at)
          result.created++
        }
      }
    })
    result.files++
  }
  return result
}
