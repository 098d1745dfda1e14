/** What the speakers service needs of storage (sqlite.ts today). Name keys are already folded. */
import type { Speaker } from './schemas.js'

export interface SpeakersRepository {
  /** undefined when no speaker has this id (malformed ids included). */
  get: (id: string) => Speaker | undefined
  getMany: (ids: string[]) => Speaker[]
  /** The speaker one of whose names or aliases folds to `nameKey`. */
  idByNameKey: (nameKey: string) => string | undefined
  /** The first of `nameKeys` that a speaker other than `speakerId` holds, and who holds it. */
  nameTaken: (nameKeys: string[], speakerId: string) => { nameKey: string, speakerId: string } | undefined
  /** Replaces the speaker's names: the first key is its name, the rest its aliases. */
  setNames: (speakerId: string, nameKeys: string[]) => void
  insert: (speaker: Speaker) => void
  update: (speaker: Speaker) => void
  delete: (id: string) => void
  /** How many claims, deleted ones included, name it as their speaker. */
  claimsBy: (id: string) => number
  /** Oldest first: one of whose names starts with `namePrefix` (folded), after an id. */
  list: (opts: { namePrefix?: string | undefined, limit: number, afterId?: string | undefined }) => Speaker[]
}

/** A speaker as stored by either engine, as the API shows it. */
export const toSpeaker = (row: Speaker): Speaker => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  description: row.description,
  aliases: row.aliases,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  version: row.version
})
