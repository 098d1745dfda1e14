import { z } from 'zod'
import { isReservedName, RESERVED_NAME, ROLES } from './roles.js'
import { pageOf, requiredText, timestamp, uuid } from '../http/schemas.js'

export const role = z.enum(ROLES).describe('viewer < reviewer < editor < admin; each role may do what the one before it may')

export const me = z.object({ id: uuid, name: z.string(), role }).meta({ id: 'Me' })

export const apiKey = z.object({
  id: uuid,
  name: z.string(),
  role,
  createdAt: timestamp,
  revokedAt: timestamp.nullable()
}).meta({ id: 'ApiKey' })

export const apiKeyCreate = z.strictObject({
  name: requiredText(200).refine((name) => !isReservedName(name), RESERVED_NAME)
    .describe('Who or what holds the key, e.g. "bulk-review script"; not starting with "system:" (reserved for system actors)'),
  role
}).meta({ id: 'ApiKeyCreate' })

export const apiKeyCreated = z.object({
  id: uuid,
  name: z.string(),
  role,
  key: z.string().describe('The secret. Shown this once only: store it now.'),
  createdAt: timestamp
}).meta({ id: 'ApiKeyCreated' })

export const apiKeyPage = pageOf(apiKey, 'ApiKeyPage')

export type ApiKey = z.infer<typeof apiKey>
export type ApiKeyCreate = z.infer<typeof apiKeyCreate>
