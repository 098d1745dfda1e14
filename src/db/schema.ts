/**
 * The whole relational schema. drizzle-kit turns this file into the SQL in `migrations/`;
 * hand-written migrations there add what drizzle cannot express (audit triggers).
 *
 * Conventions: snake_case columns, text UUID v7 primary keys, RFC 3339 UTC text times
 * (they sort lexicographically), JSON arrays stored as text.
 */
import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

const timestamps = {
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  version: integer('version').notNull().default(1)
}

export const apiKeys = sqliteTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role', { enum: ['viewer', 'reviewer', 'editor', 'admin'] }).notNull(),
  /** SHA-256 of the key: keys carry 256 bits of entropy, so a slow hash adds nothing. */
  keyHash: text('key_hash').notNull().unique(),
  createdAt: text('created_at').notNull(),
  revokedAt: text('revoked_at')
})

export const speakers = sqliteTable('speakers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['person', 'organization', 'government', 'other'] }).notNull(),
  description: text('description'),
  aliases: text('aliases', { mode: 'json' }).$type<string[]>().notNull(),
  ...timestamps
})

/**
 * Every name and alias of every speaker, folded for comparison. The primary key makes
 * "unique across all speakers' names and aliases" a database guarantee, and it is the
 * index behind find-by-name-or-alias and the `q` prefix filter.
 */
export const speakerNames = sqliteTable('speaker_names', {
  nameKey: text('name_key').primaryKey(),
  speakerId: text('speaker_id').notNull().references(() => speakers.id, { onDelete: 'cascade' }),
  isAlias: integer('is_alias', { mode: 'boolean' }).notNull()
}, (t) => [index('speaker_names_speaker_idx').on(t.speakerId)])

export const sources = sqliteTable('sources', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  publisher: text('publisher'),
  url: text('url'),
  kind: text('kind', {
    enum: ['article', 'broadcast', 'transcript', 'social_post', 'press_release', 'report', 'other']
  }).notNull(),
  publishedAt: text('published_at'),
  /** Comparison keys: the URL normalised (scheme/host case, default port, no fragment), titles folded. */
  urlKey: text('url_key').unique(),
  titleKey: text('title_key').notNull(),
  publisherKey: text('publisher_key'),
  ...timestamps
}, (t) => [
  index('sources_title_idx').on(t.titleKey, t.publisherKey),
  index('sources_publisher_idx').on(t.publisherKey)
])

export const claims = sqliteTable('claims', {
  id: text('id').primaryKey(),
  text: text('text').notNull(),
  /** NFC + case-folded + whitespace-collapsed text: the duplicate-detection key. */
  textKey: text('text_key').notNull(),
  quote: text('quote'),
  speakerId: text('speaker_id').notNull().references(() => speakers.id),
  sourceId: text('source_id').notNull().references(() => sources.id),
  claimedAt: text('claimed_at').notNull(),
  context: text('context'),
  topics: text('topics', { mode: 'json' }).$type<string[]>().notNull(),
  language: text('language').notNull(),
  status: text('status', { enum: ['unverified', 'corroborated', 'disputed'] }).notNull(),
  reviewCount: integer('review_count').notNull().default(0),
  lastReviewedAt: text('last_reviewed_at'),
  ...timestamps,
  deletedAt: text('deleted_at'),
  deletedBy: text('deleted_by', { mode: 'json' }).$type<{ id: string, name: string }>(),
  deleteReason: text('delete_reason')
}, (t) => [
  uniqueIndex('claims_duplicate_idx').on(t.speakerId, t.claimedAt, t.textKey).where(sql`deleted_at IS NULL`),
  index('claims_claimed_at_idx').on(t.claimedAt, t.id),
  index('claims_created_at_idx').on(t.createdAt, t.id),
  index('claims_updated_at_idx').on(t.updatedAt, t.id),
  index('claims_status_claimed_at_idx').on(t.status, t.claimedAt, t.id),
  index('claims_speaker_claimed_at_idx').on(t.speakerId, t.claimedAt, t.id),
  index('claims_source_claimed_at_idx').on(t.sourceId, t.claimedAt, t.id),
  index('claims_last_reviewed_idx').on(t.lastReviewedAt, t.id)
])

/**
 * Live (not deleted) claims by status, one row per status. Triggers on claims keep it in the
 * transaction of every write (migrations/*_claim_status_counts_triggers.sql), so /metrics and
 * /v1/stats read three rows instead of counting every claim on every scrape.
 */
export const claimStatusCounts = sqliteTable('claim_status_counts', {
  status: text('status', { enum: ['unverified', 'corroborated', 'disputed'] }).primaryKey(),
  claims: integer('claims').notNull()
})

/** One row per (claim, topic): the index behind the `topic` filter. */
export const claimTopics = sqliteTable('claim_topics', {
  claimId: text('claim_id').notNull().references(() => claims.id, { onDelete: 'cascade' }),
  topic: text('topic').notNull()
}, (t) => [primaryKey({ columns: [t.topic, t.claimId] }), index('claim_topics_claim_idx').on(t.claimId)])

export const reviews = sqliteTable('reviews', {
  id: text('id').primaryKey(),
  claimId: text('claim_id').notNull().references(() => claims.id),
  verdict: text('verdict', { enum: ['unverified', 'corroborated', 'disputed'] }).notNull(),
  previousStatus: text('previous_status', { enum: ['unverified', 'corroborated', 'disputed'] }).notNull(),
  note: text('note').notNull(),
  evidence: text('evidence', { mode: 'json' })
    .$type<Array<{ url: string, title?: string, stance: 'supports' | 'refutes' | 'context' }>>().notNull(),
  reviewerId: text('reviewer_id').notNull(),
  reviewerName: text('reviewer_name').notNull(),
  createdAt: text('created_at').notNull(),
  /**
   * The caller's own reference for this review (a spreadsheet row, a job's item id): unique
   * per API key, like an Idempotency-Key, so a script that sends it again gets the review it
   * already made instead of a second one — today, next week, whatever batch it comes in.
   */
  clientRef: text('client_ref')
}, (t) => [
  index('reviews_claim_idx').on(t.claimId, t.createdAt, t.id),
  index('reviews_reviewer_idx').on(t.reviewerId, t.claimId),
  uniqueIndex('reviews_client_ref_idx').on(t.reviewerId, t.clientRef).where(sql`client_ref IS NOT NULL`)
])

/**
 * Where and when else a claim was made (ClaimReview's `appearance`): another outlet, another
 * day, maybe another speaker repeating it. Append-only, like reviews; each is audited on its claim.
 */
export const appearances = sqliteTable('appearances', {
  id: text('id').primaryKey(),
  claimId: text('claim_id').notNull().references(() => claims.id),
  sourceId: text('source_id').notNull().references(() => sources.id),
  speakerId: text('speaker_id').references(() => speakers.id),
  appearedAt: text('appeared_at').notNull(),
  url: text('url'),
  quote: text('quote'),
  createdAt: text('created_at').notNull()
}, (t) => [
  index('appearances_claim_idx').on(t.claimId, t.appearedAt, t.id),
  index('appearances_source_idx').on(t.sourceId),
  index('appearances_speaker_idx').on(t.speakerId)
])

export const auditEvents = sqliteTable('audit_events', {
  /** AUTOINCREMENT so a sequence number is never reused, even after a rollback. */
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  at: text('at').notNull(),
  actorId: text('actor_id').notNull(),
  actorName: text('actor_name').notNull(),
  actorRole: text('actor_role').notNull(),
  action: text('action').notNull(),
  entityType: text('entity_type').notNull(),
  entityId: text('entity_id').notNull(),
  /** Canonical (RFC 8785) JSON text, kept byte-exact so the hash can be recomputed. */
  changes: text('changes').notNull(),
  requestId: text('request_id').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull()
}, (t) => [
  index('audit_entity_idx').on(t.entityType, t.entityId, t.seq),
  index('audit_actor_idx').on(t.actorId, t.seq),
  index('audit_action_idx').on(t.action, t.seq),
  check('audit_hash_hex', sql`length(${t.hash}) = 64 AND length(${t.prevHash}) = 64`)
])

/**
 * Responses of writes sent with an `Idempotency-Key`, kept 24 hours, so a retried request
 * returns the stored response instead of applying twice. Scoped per API key. Written in the
 * same transaction as the effects, so a stored response always means "applied".
 */
export const idempotencyKeys = sqliteTable('idempotency_keys', {
  actorId: text('actor_id').notNull(),
  key: text('key').notNull(),
  requestHash: text('request_hash').notNull(),
  statusCode: integer('status_code').notNull(),
  response: text('response').notNull(),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at').notNull()
}, (t) => [primaryKey({ columns: [t.actorId, t.key] }), index('idempotency_expires_idx').on(t.expiresAt)])
