/** What the idempotency service needs of storage (sqlite.ts today): stored answers, per API key. */
export interface IdempotencyRow {
  actorId: string
  key: string
  requestHash: string
  statusCode: number
  /** The answer's body as JSON text. */
  response: string
  createdAt: string
  expiresAt: string
}

export interface IdempotencyRepository {
  /** The row for this key of this caller unless it expired by `now` (RFC 3339). */
  find: (actorId: string, key: string, now: string) => IdempotencyRow | undefined
  /** Removes every row expired by `now`. */
  purgeExpired: (now: string) => void
  insert: (row: IdempotencyRow) => void
}
