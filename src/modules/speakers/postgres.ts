/** The speakers repository on PostgreSQL: the same operations as sqlite.ts, in its SQL. */
import { and, asc, count, eq, gt, inArray, ne, sql, type SQL } from 'drizzle-orm'
import type { Async } from '../../db/engine.js'
import { isUuid } from '../../db/ids.js'
import type { PgQ } from '../../db/postgres/engine.js'
import { appearances, claims, speakerNames, speakers } from '../../db/postgres/schema.js'
import { toSpeaker, type SpeakersRepository } from './repository.js'

export function createPostgresSpeakersRepository (q: PgQ): Async<SpeakersRepository> {
  return {
    get: async (id) => {
      if (!isUuid(id)) return undefined
      const [row] = await q.select().from(speakers).where(eq(speakers.id, id))
      return row === undefined ? undefined : toSpeaker(row)
    },
    getMany: async (ids) => ids.length === 0 ? [] : (await q.select().from(speakers).where(inArray(speakers.id, ids))).map(toSpeaker),
    idByNameKey: async (nameKey) => (await q.select({ id: speakerNames.speakerId }).from(speakerNames).where(eq(speakerNames.nameKey, nameKey)))[0]?.id,
    nameTaken: async (nameKeys, speakerId) => (await q.select({ nameKey: speakerNames.nameKey, speakerId: speakerNames.speakerId }).from(speakerNames)
      .where(and(inArray(speakerNames.nameKey, nameKeys), ne(speakerNames.speakerId, speakerId))).limit(1))[0],
    setNames: async (speakerId, nameKeys) => {
      await q.delete(speakerNames).where(eq(speakerNames.speakerId, speakerId))
      await q.insert(speakerNames).values(nameKeys.map((nameKey, i) => ({ nameKey, speakerId, isAlias: i > 0 })))
    },
    insert: async (speaker) => { await q.insert(speakers).values(speaker) },
    update: async (speaker) => { await q.update(speakers).set(speaker).where(eq(speakers.id, speaker.id)) },
    delete: async (id) => { await q.delete(speakers).where(eq(speakers.id, id)) },
    claimsBy: async (id) => ((await q.select({ n: count() }).from(claims).where(eq(claims.speakerId, id)))[0]?.n ?? 0) +
      ((await q.select({ n: count() }).from(appearances).where(eq(appearances.speakerId, id)))[0]?.n ?? 0),
    list: async (opts) => {
      const where: SQL[] = []
      if (opts.afterId !== undefined) where.push(gt(speakers.id, opts.afterId))
      if (opts.namePrefix !== undefined) {
        // starts_with, not a range: under the database's collation a range need not mean "prefix".
        const matching = q.selectDistinct({ id: speakerNames.speakerId }).from(speakerNames)
          .where(sql`starts_with(${speakerNames.nameKey}, ${opts.namePrefix})`)
        where.push(inArray(speakers.id, matching))
      }
      return (await q.select().from(speakers).where(and(...where)).orderBy(asc(speakers.id)).limit(opts.limit)).map(toSpeaker)
    }
  }
}
