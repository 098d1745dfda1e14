import { z } from 'zod'
import { documentExample } from '../../http/examples.js'
import { cursorParam, limitParam } from '../../http/pagination.js'
import { idParams, optionalText, pageOf, requiredText, timestamp, uuid, wellFormedString } from '../../http/schemas.js'
import { SEEDED } from '../../seeded.js'
import { pashinyan, speakerCreateInput, speakerPageExample, speakerUpdateInput } from './examples.js'

export const speakerKind = z.enum(['person', 'organization', 'government', 'other'])

const aliases = z.array(requiredText(200)).max(20, 'must have at most 20 aliases')
  .describe('Other names the speaker goes by, e.g. "Yerevan" for the Armenian government. ' +
    'Unique (case-insensitive) across every speaker\'s names and aliases; repeats are dropped.')

export const speaker = z.object({
  id: uuid,
  name: z.string(),
  kind: speakerKind,
  description: z.string().nullable(),
  aliases: z.array(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
  version: z.number().int()
}).meta({ id: 'Speaker', description: 'Who made a claim: a person, an organisation or a government.' })
documentExample(speaker, pashinyan)

export const speakerCreate = z.strictObject({
  name: requiredText(200).describe('Unique, case-insensitive, across names and aliases'),
  kind: speakerKind.default('other'),
  description: optionalText(500).describe('Role or title, e.g. "Prime Minister of Armenia"'),
  aliases: aliases.default([])
}).meta({ id: 'SpeakerCreate' })
documentExample(speakerCreate, speakerCreateInput)

export const speakerUpdate = z.strictObject({
  name: requiredText(200).optional(),
  kind: speakerKind.optional(),
  description: optionalText(500),
  aliases: aliases.optional()
}).meta({ id: 'SpeakerUpdate', description: 'Fields to change; absent fields stay as they are, null clears.' })
documentExample(speakerUpdate, speakerUpdateInput)

export const speakerListQuery = z.strictObject({
  q: wellFormedString().trim().min(1).max(200).optional().describe('Name or alias prefix, case-insensitive'),
  limit: limitParam,
  cursor: cursorParam
})

export const speakerPage = pageOf(speaker, 'SpeakerPage', speakerPageExample)

/** `{id}` of a speaker; the example is a seeded speaker, so "Try it out" finds it. */
export const speakerIdParams = idParams(SEEDED.speakers.pashinyan)

export type Speaker = z.infer<typeof speaker>
export type SpeakerCreate = z.output<typeof speakerCreate>
export type SpeakerUpdate = z.output<typeof speakerUpdate>
