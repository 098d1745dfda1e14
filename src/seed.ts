/**
 * Loads `seeds/*.json` (the claims of the article Claimledger ships with) through the same
 * services as the API, so the audit log records every seeded speaker, source and claim under
 * a system actor named for the seed. Idempotent: what already exists is left alone.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { systemContext } from './core/context.js'
import { claimFields, type ClaimCreate } from './modules/claims/schemas.js'
import { newId } from './db/ids.js'
import { sourceCreate } from './modules/sources/schemas.js'
import { speakerCreate } from './modules/speakers/schemas.js'
import type { Services } from './modules/container.js'

export const seedsFolder = resolve(fileURLToPath(new URL('../seeds', import.meta.url)))

/**
 * A fixed id for a seeded record, so that the API's documented examples (and "Try it out" in
 * the Swagger UI) can name a claim, speaker or source that exists on a freshly seeded database.
 * Optional: a record without one gets a new id. Databases seeded before keep theirs.
 */
const fixedId = { id: z.uuid({ version: 'v7' }).optional() }

/** A seed file: one source, its speakers, and claims naming their speaker by name. */
const seedFile = z.strictObject({
  source: sourceCreate.extend(fixedId),
  speakers: z.array(speakerCreate.extend(fixedId)).min(1),
  claims: z.array(claimFields.omit({ speakerId: true, speaker: true, sourceId: true, source: true })
    .extend({ speaker: z.string(), ...fixedId })).min(1)
})

export interface SeedResult { loaded: string[], skipped: string[], claims: number }

export async function isEmpty (services: Services): Promise<boolean> {
  return (await services.speakers.list({ limit: 1 })).length === 0 &&
    (await services.sources.list({ limit: 1 })).length === 0 &&
    (await services.claims.list({ sort: '-createdAt', limit: 1 })).length === 0
}

/**
 * Loads every seed file not loaded before. A file counts as loaded once the audit log has
 * an event by its system actor, so seeded claims that were later edited or deleted are
 * never brought back, and a file loads whole or not at all (one transaction).
 */
export async function loadSeeds (services: Services, folder = seedsFolder): Promise<SeedResult> {
  const result: SeedResult = { loaded: [], skipped: [], claims: 0 }
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.json')).sort()) {
    const ctx = systemContext(`seed ${file}`, newId())
    if ((await services.ledger.list({ actor: ctx.actor.id, limit: 1 })).length > 0) {
      result.skipped.push(file)
      continue
    }
    const data = seedFile.parse(JSON.parse(readFileSync(join(folder, file), 'utf8')))
    await services.transaction(async (tx) => {
      const at = new Date().toISOString()
      const { id: sourceId, ...sourceInput } = data.source
      const source = await tx.sources.findOrCreate(ctx, sourceInput, at, sourceId)
      const speakerIds = new Map<string, string>()
      for (const { id, ...s } of data.speakers) speakerIds.set(s.name, (await tx.speakers.findOrCreate(ctx, s, at, id)).id)
      for (const { speaker, id, ...claim } of data.claims) {
        const speakerId = speakerIds.get(speaker)
        if (speakerId === undefined) throw new Error(`${file}: claim names unknown speaker "${speaker}"`)
        const input: ClaimCreate = { ...claim, speakerId, sourceId: source.id }
        if (await tx.claims.findDuplicate(speakerId, input.claimedAt, input.text) === undefined) {
          await tx.claims.create(ctx, input, at, id)
          result.claims++
        }
      }
    })
    result.loaded.push(file)
  }
  return result
}
