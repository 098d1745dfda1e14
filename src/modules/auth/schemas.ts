import { z } from 'zod'
import { isReservedName, RESERVED_NAME, ROLES } from '../../core/context.js'
import { documentExample } from '../../http/examples.js'
import { pageOf, requiredText, timestamp, uuid } from '../../http/schemas.js'
import { apiKeyCreatedExample, apiKeyCreateInput, DESK, deskKey } from './examples.js'

export const role = z.enum(ROLES).describe('viewer < reviewer < editor < admin; each role may do what the one before it may')

export const me = z.object({ id: uuid, name: z.string(), role }).meta({ id: 'Me' })
documentExample(me, DESK)

export const apiKey = z.object({
  id: uuid,
  name: z.string(),
  role,
  createdAt: timestamp,
  revokedAt: timestamp.nullable()
}).meta({ id: 'ApiKey' })
documentExample(apiKey, deskKey)

export const apiKeyCreate = z.strictObject({
  name: requiredText(200).refine((name) => !isReservedName(name), RESERVED_NAME)
    .describe('Who or what holds the key, e.g. "bulk-review script"; not starting with "system:" (reserved for system actors)'),
  role
}).meta({ id: 'ApiKeyCreate' })
documentExample(apiKeyCreate, apiKeyCreateInput)

export const apiKeyCreated = z.object({
  id: uuid,
  name: z.string(),
  role,
  key: z.string().describe('The secret. Shown this once only: store it now.'),
  createdAt: timestamp
}).meta({ id: 'ApiKeyCreated' })
documentExample(apiKeyCreated, apiKeyCreatedExample)

export const apiKeyPage = pageOf(apiKey, 'ApiKeyPage', { items: [deskKey], nextCursor: null })

export type ApiKey = z.infer<typeof apiKey>
export type ApiKeyCreate = z.infer<typeof apiKeyCreate>
