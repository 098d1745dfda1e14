import { v7 as uuidv7, validate, version } from 'uuid'

/** A new time-ordered UUID v7: ids sort by creation time, which keeps B-tree inserts local. */
export function newId (): string {
  return uuidv7()
}

/** True for any well-formed UUID; ids that are not are answered with 404, never 400. */
export function isUuid (value: string): boolean {
  return validate(value) && version(value) > 0
}
