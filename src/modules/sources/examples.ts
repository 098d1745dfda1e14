/** Examples for sources: the seeded Mail Online article (the `{id}` examples name it) and a new one. */
import type { z } from 'zod'
import { SEEDED_ARTICLE, SEEDED_AT } from '../../seeded.js'
import type { Source, sourceCreate, sourceUpdate } from './schemas.js'

export const mailOnline: Source = {
  ...SEEDED_ARTICLE,
  publisher: 'Mail Online',
  kind: 'article',
  publishedAt: '2020-10-21',
  createdAt: SEEDED_AT,
  updatedAt: SEEDED_AT,
  version: 1
}

/** The statement Lavrov's ministry issued on the Moscow talks, which the article cites. */
export const sourceCreateInput: z.input<typeof sourceCreate> = {
  title: 'Statement on the talks with the foreign ministers of Azerbaijan and Armenia in Moscow',
  publisher: 'Ministry of Foreign Affairs of Russia',
  kind: 'press_release',
  publishedAt: '2020-10-21'
}

/** The desk's house style: headlines without shouting. */
export const sourceUpdateInput: z.input<typeof sourceUpdate> = {
  title: 'Armenia calls on volunteers to fight on the Karabakh front line and vows there can be no diplomatic solution to the crisis'
}
