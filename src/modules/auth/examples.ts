/** Examples for API keys: the news desk's editor key, which the other examples show at work. */
import type { z } from 'zod'
import type { ApiKey, apiKeyCreate, apiKeyCreated } from './schemas.js'

/** The key the examples' reviews and edits are made with. */
export const DESK = { id: '017546bf-9d16-7287-b175-176eaeeac313', name: 'Karabakh desk', role: 'editor' } as const

export const deskKey: ApiKey = { ...DESK, createdAt: '2020-10-20T16:02:44.118Z', revokedAt: null }

export const apiKeyCreateInput: z.input<typeof apiKeyCreate> = { name: 'Karabakh desk review script', role: 'reviewer' }

export const apiKeyCreatedExample: z.input<typeof apiKeyCreated> = {
  id: '01754fc2-5702-74d8-9837-8b67dbf650d5',
  ...apiKeyCreateInput,
  key: 'clk_shCahRNTuff7OanKXHvbWds3t1wGZZ2iUn_R0u8cZB0',
  createdAt: '2020-10-22T10:02:17.730Z'
}
