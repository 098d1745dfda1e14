/**
 * Response serialisation: each route's zod response schema becomes JSON Schema once, at
 * start-up, and fast-json-stringify compiles that into a specialised stringifier. Zod's own
 * serializer re-validated every response with `safeEncode` before a plain JSON.stringify;
 * on GET /v1/claims/:id that was a tenth of the server's CPU (bench: --cpu-prof).
 *
 * fast-json-stringify writes the declared properties only (an undeclared field never
 * leaks) and refuses a response that lacks a required one, but it coerces a wrong type
 * (null → "", 2.7 → 2) instead of refusing it. So the tests build the app with
 * `validateResponses`, which also checks every response against its zod schema, exactly as
 * before: drift between a store and its schema fails the suite, not a client.
 */
import fastJson from 'fast-json-stringify'
import type { FastifySerializerCompiler } from 'fastify/types/schema.js'
import { ResponseSerializationError } from 'fastify-type-provider-zod'
import { z } from 'zod'

/** Fastify's route-schema input: a zod schema, or `{ properties: zodSchema }` as the type provider also accepts. */
function zodSchemaOf (schema: unknown): z.ZodType {
  if (schema instanceof z.ZodType) return schema
  const properties = (schema as { properties?: unknown } | null)?.properties
  if (properties instanceof z.ZodType) return properties
  throw new TypeError(`A response schema must be a zod schema: ${JSON.stringify(schema)}`)
}

export function createSerializerCompiler (options: { validate: boolean }): FastifySerializerCompiler<unknown> {
  return ({ schema, method, url }) => {
    const zodSchema = zodSchemaOf(schema)
    const stringify = fastJson(z.toJSONSchema(zodSchema, { io: 'output', target: 'draft-7', unrepresentable: 'any' }) as Parameters<typeof fastJson>[0])
    if (!options.validate) return stringify
    return (data: unknown) => {
      const checked = z.safeEncode(zodSchema, data)
      if (!checked.success) throw new ResponseSerializationError(method, url, { cause: checked.error })
      return stringify(data)
    }
  }
}
