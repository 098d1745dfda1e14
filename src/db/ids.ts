import { v7 as uuidv7, validate, version } from 'uuid'

/** A new time-ordered UUID v7: ids sort by creation time, which keeps B-tree inserts local. */
export function newId (): string {
  return uuidv7()
}

/**
 * True for a well-formed UUID as Claimledger writes them (lower case); ids that are not are
 * answered with 404, never 400. Lower case only: SQLite compares ids as text, PostgreSQL as
 * uuid (case-blind), and the same id must name the same thing on both engines.
 */
export function isUuid (value: string): boolean {
  return validate(value) && version(value) > 0 && value === value.toLowerCase()
}
