/** The speakers repository on SQLite: the only SQL for speakers and their folded names (`speaker_names`). */
import { and, asc, count, eq, gt, gte, inArray, lt, ne, sql, type SQL } from 'drizzle-orm'
import { isUuid } from '../../db/ids.js'
import type { Db } from '../../db/open.js'
import { appearances, claims, speakerNames, speakers } from '../../db/schema.js'
import { toSpeaker, type SpeakersRepository } from './repository.js'

export function createSqliteSpeakersRepository (db: Db): SpeakersRepository {
  const byId = db.select().from(speakers).where(eq(speakers.id, sql.placeholder('id'))).prepare()
  const byNameKey = db.select({ id: speakerNames.speakerId }).from(speakerNames).where(eq(speakerNames.nameKey, sql.placeholder('nameKey'))).prepare()
  return {
    get: (id) => {
      if (!isUuid(id)) return undefined
      const row = byId.get({ id })
      return row === undefined ? undefined : toSpeaker(row)
    },
    getMany: (ids) => ids.length === 0 ? [] : db.select().from(speakers).where(inArray(speakers.id, ids)).all().map(toSpeaker),
    idByNameKey: (nameKey) => byNameKey.get({ nameKey })?.id,
    nameTaken: (nameKeys, speakerId) => db.select({ nameKey: speakerNames.nameKey, speakerId: speakerNames.speakerId }).from(speakerNames)
      .where(and(inArray(speakerNames.nameKey, nameKeys), ne(speakerNames.speakerId, speakerId))).get(),
    setNames: (speakerId, nameKeys) => {
      db.delete(speakerNames).where(eq(speakerNames.speakerId, speakerId)).run()
      db.insert(speakerNames).values(nameKeys.map((nameKey, i) => ({ nameKey, speakerId, isAlias: i > 0 }))).run()
    },
    insert: (speaker) => { db.insert(speakers).values(speaker).run() },
    update: (speaker) => { db.update(speakers).set(speaker).where(eq(speakers.id, speaker.id)).run() },
    delete: (id) => { db.delete(speakers).where(eq(speakers.id, id)).run() },
    claimsBy: (id) => (db.select({ n: count() }).from(claims).where(eq(claims.speakerId, id)).get()?.n ?? 0) +
      (db.select({ n: count() }).from(appearances).where(eq(appearances.speakerId, id)).get()?.n ?? 0),
    list: (opts) => {
      const where: SQL[] = []
      if (opts.afterId !== undefined) where.push(gt(speakers.id, opts.afterId))
      if (opts.namePrefix !== undefined) {
        const matching = db.selectDistinct({ id: speakerNames.speakerId }).from(speakerNames)
          .where(and(gte(speakerNames.nameKey, opts.namePrefix), lt(speakerNames.nameKey, opts.namePrefix + '\u{10FFFF}')))
        where.push(inArray(speakers.id, matching))
      }
      return db.select().from(speakers).where(and(...where)).orderBy(asc(speakers.id)).limit(opts.limit).all().map(toSpeaker)
    }
  }
}
