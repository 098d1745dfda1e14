/**
 * The OpenAPI document's examples, each kept with the zod schema it illustrates, so that a
 * test can parse every one with that schema (an example that the API would refuse fails it).
 *
 * Why not zod's `.meta({ examples })` alone: zod drops `examples` from the input JSON Schema of
 * any schema that transforms (trimming into a preprocess, defaults, slug lists: nearly every
 * request body), so request examples would vanish without a word. A named component's example
 * is put by openapi-tidy.ts on the media types that use it instead, which is also where
 * Swagger UI looks first to prefill "Try it out" and to show "Example Value".
 */
import { z } from 'zod'

export interface DocumentedExample {
  schema: z.ZodType
  example: unknown
  /** The component the schema is, if it is one. */
  component?: string
}

const documented: DocumentedExample[] = []

/**
 * Illustrates the named component `schema` (one with `.meta({ id })`) with `example`. A statement
 * of its own beside the schema, not a wrapper around it: the example's type comes from the
 * schema's, which a wrapper would make circular.
 */
export function documentExample<T extends z.ZodType> (schema: T, example: z.input<T>): void {
  const component = z.globalRegistry.get(schema)?.id
  if (component === undefined) throw new Error('documentExample needs a schema with .meta({ id }); use exemplified() for others')
  documented.push({ schema, example, component })
}

/**
 * An unnamed schema (a path parameter, an inline response) with its example, which stays on the
 * schema in the document (a parameter's becomes its `example`, which Swagger UI prefills).
 * Only for schemas that do not transform: zod drops the example of those (see above).
 */
export function exemplified<T extends z.ZodType> (schema: T, example: z.input<T>): T {
  const withExample = schema.meta({ examples: [example] }) as T
  documented.push({ schema: withExample, example })
  return withExample
}

/** An example placed in the document by hand (openapi-tidy.ts), checked against `schema` like the others. */
export function exampleOf<T extends z.ZodType> (schema: T, example: z.input<T>): z.input<T> {
  documented.push({ schema, example })
  return example
}

/** The example of component `name`, if it has one. */
export const componentExample = (name: string): unknown => documented.find((d) => d.component === name)?.example

/** Every example the document may contain, with its schema (for the test that parses them). */
export const documentedExamples = (): readonly DocumentedExample[] => documented
