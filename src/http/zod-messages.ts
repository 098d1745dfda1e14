/**
 * Validation messages in the API's own voice ("must be one of a, b, c", "is required")
 * instead of zod's defaults. Schema-level messages still win; this is zod's global fallback.
 */
import { z } from 'zod'
import type { $ZodRawIssue } from 'zod/v4/core'

type Issue = $ZodRawIssue

const units: Record<string, string> = { string: 'characters', array: 'items', set: 'items', file: 'bytes' }

function bound (issue: Issue & { code: 'too_small' | 'too_big' }): string {
  const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum
  const unit = units[issue.origin]
  if (unit !== undefined) return `must have ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(limit)} ${unit}`
  const op = issue.code === 'too_small' ? (issue.inclusive === false ? '>' : '≥') : (issue.inclusive === false ? '<' : '≤')
  return `must be ${op} ${String(limit)}`
}

export function apiMessage (issue: Issue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null) return 'is required'
      if (issue.expected === 'number' || issue.expected === 'int') return 'must be a number'
      return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`
    case 'invalid_value':
      return `must be one of ${issue.values.map((v: unknown) => String(v)).join(', ')}`
    case 'too_small':
    case 'too_big':
      return bound(issue)
    case 'invalid_format':
      return issue.format === 'regex' ? 'has the wrong format' : `must be a valid ${issue.format === 'datetime' ? 'RFC 3339 time' : issue.format}`
    case 'unrecognized_keys':
      return 'is not a known field'
    default:
      return undefined
  }
}

z.config({ customError: apiMessage })
