/**
 * What went wrong, in the domain's words: errors as values, with no status code and no header.
 * Services throw these; the CLI reads them; `http/problems.ts` alone turns them into
 * problem+json with a status, `Location` and `ETag` (see `problemOf`). Each carries only what
 * a caller needs to act: the existing record's id, the current version, the fields at fault.
 */

/** A field at fault, by JSON pointer into the input. */
export interface FieldError { path: string, message: string }

/** The resources a duplicate can name, and where the existing one is. */
export type ExistingRecord =
  | { kind: 'claim' | 'speaker' | 'source', id: string }
  | { kind: 'review', id: string, claimId: string }

export abstract class DomainError extends Error {
  /** Extra members a client gets beside the detail (e.g. `claims` still citing a source). */
  readonly details: Record<string, unknown>
  constructor (detail: string, details: Record<string, unknown> = {}) {
    super(detail)
    this.name = new.target.name
    this.details = details
  }
}

/** No such record (or none at that time). */
export class NotFound extends DomainError {}

/** The record existed and was deleted; `details` say when and by whom. */
export class Gone extends DomainError {}

/** The record already exists as `existing`: its id is the answer. */
export class Duplicate extends DomainError {
  readonly existing: ExistingRecord
  constructor (existing: ExistingRecord, detail: string) {
    super(detail, { existingId: existing.id })
    this.existing = existing
  }
}

/** The request contradicts the state of things (a key reused with another body, the last admin key…). */
export class Conflict extends DomainError {}

/** The caller's version is not the current one (a lost update prevented). */
export class Stale extends DomainError {
  readonly current: number
  constructor (detail: string, current: number) {
    super(detail, { currentVersion: current })
    this.current = current
  }
}

/** Well-formed input that a rule refuses (a verdict without evidence, an id naming nothing). */
export class RuleViolated extends DomainError {}

/** Input that does not have the required shape; `errors` name the fields. */
export class Invalid extends DomainError {
  constructor (detail: string, errors?: FieldError[]) {
    super(detail, errors === undefined ? {} : { errors })
  }
}

/** Input that cannot be read at all: not JSON, or not UTF-8 (`line` says where). */
export class Unreadable extends DomainError {
  readonly format: 'json' | 'utf-8'
  constructor (format: 'json' | 'utf-8', detail: string, details: Record<string, unknown> = {}) {
    super(detail, details)
    this.format = format
  }
}

/** One record over the size a record may have. */
export class TooLarge extends DomainError {}

/** `Invalid` from a zod error raised outside route validation (import records, CLI files). */
export function invalidFrom (error: { issues: ReadonlyArray<{ path: PropertyKey[], message: string }> }): Invalid {
  const errors = error.issues.map((issue) => ({ path: issue.path.map((p) => '/' + String(p)).join(''), message: issue.message }))
  return new Invalid(errors.map((e) => `${e.path === '' ? '(root)' : e.path} ${e.message}`).join('; '), errors)
}

/** Members added to whatever `error` is reported as: see withDetails. */
const added = new WeakMap<object, Record<string, unknown>>()

/**
 * Adds members to the report of `error`, whatever error it is (a storage fault included):
 * e.g. what an import had committed before the disk filled up.
 */
export function withDetails<E> (error: E, details: Record<string, unknown>): E {
  if (typeof error === 'object' && error !== null) added.set(error, { ...added.get(error), ...details })
  return error
}

export const detailsAddedTo = (error: unknown): Record<string, unknown> | undefined =>
  typeof error === 'object' && error !== null ? added.get(error) : undefined
