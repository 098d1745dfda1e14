/**
 * The PostgreSQL schema: the same tables, columns and keys as the SQLite one (../schema.ts),
 * so a repository per engine differs in SQL only. drizzle-kit turns this file into
 * `migrations/postgres/`; hand-written migrations there add what drizzle cannot express
 * (the append-only audit chain, full-text search, the claims-by-status counters).
 *
 * Choices, each for "same bytes out of either engine":
 * - Times stay RFC 3339 UTC text, not timestamptz: they are hashed into the audit chain, sent
 *   as ETag-bearing JSON and used in cursors byte for byte, and they sort as text.
 * - Ids are `uuid` (16 bytes, a native comparison); actor and entity ids in the audit log stay
 *   text (system actors are named `system:…`).
 * - JSON fields are jsonb; the audit event's `changes` stays text: its canonical bytes are hashed.
 * - The audit `seq` is assigned by the writer (head + 1) under a transaction lock, not by a
 *   sequence: a sequence skips numbers on rollback and the chain must stay gap-free.
 */
import { sql } from 'drizzle-orm'
import { bigint, boolean, check, customType, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

/** Kept by triggers (migrations/postgres/*_claims_search.sql); never written by the application. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

const timestamps = {
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  version: integer('version').notNull().default(1)
}

export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role', { enum: ['viewer', 'reviewer', 'editor', 'admin'] }).notNull(),
  /** SHA-256 of the key: keys carry 256 bits of entropy, so a slow hash adds nothing. */
  keyHash: text('key_hash').notNull().unique(),
  createdAt: text('created_at').notNull(),
  revokedAt: text('revoked_at')
})

export const speakers = pgTable('speakers', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['person', 'organization', 'government', 'other'] }).notNull(),
  description: text('description'),
  aliases: jsonb('aliases').$type<string[]>().notNull(),
  ...timestamps
})

/** Every name and alias, folded: unique across all speakers, and the index behind lookups by name. */
export const speakerNames = pgTable('speaker_names', {
  nameKey: text('name_key').primaryKey(),
  speakerId: uuid('speaker_id').notNull().references(() => speakers.id, { onDelete: 'cascade' }),
  isAlias: boolean('is_alias').notNull()
}, (t) => [index('speaker_names_speaker_idx').on(t.speakerId)])

export const sources = pgTable('sources', {
  id: uuid('id').primaryKey(),
  title: text('title').notNull(),
  publisher: text('publisher'),
  url: text('url'),
  kind: text('kind', {
    enum: ['article', 'broadcast', 'transcript', 'social_post', 'press_release', 'report', 'other']
  }).notNull(),
  publishedAt: text('published_at'),
  urlKey: text('url_key').unique(),
  titleKey: text('title_key').notNull(),
  publisherKey: text('publisher_key'),
  ...timestamps
}, (t) => [
  index('sources_title_idx').on(t.titleKey, t.publisherKey),
  index('sources_publisher_idx').on(t.publisherKey)
])

export const claims = pgTable('claims', {
  id: uuid('id').primaryKey(),
  text: text('text').notNull(),
  textKey: text('text_key').notNull(),
  quote: text('quote'),
  speakerId: uuid('speaker_id').notNull().references(() => speakers.id),
  sourceId: uuid('source_id').notNull().references(() => sources.id),
  claimedAt: text('claimed_at').notNull(),
  context: text('context'),
  topics: jsonb('topics').$type<string[]>().notNull(),
  language: text('language').notNull(),
  status: text('status', { enum: ['unverified', 'corroborated', 'disputed'] }).notNull(),
  reviewCount: integer('review_count').notNull().default(0),
  lastReviewedAt: text('last_reviewed_at'),
  ...timestamps,
  deletedAt: text('deleted_at'),
  deletedBy: jsonb('deleted_by').$type<{ id: string, name: string }>(),
  deleteReason: text('delete_reason'),
  /** Text (weight A), quote (B), speaker's names (C), context (D), accents folded; null once deleted. */
  search: tsvector('search')
}, (t) => [
  uniqueIndex('claims_duplicate_idx').on(t.speakerId, t.claimedAt, t.textKey).where(sql`deleted_at IS NULL`),
  index('claims_claimed_at_idx').on(t.claimedAt, t.id),
  index('claims_created_at_idx').on(t.createdAt, t.id),
  index('claims_updated_at_idx').on(t.updatedAt, t.id),
  index('claims_status_claimed_at_idx').on(t.status, t.claimedAt, t.id),
  index('claims_speaker_claimed_at_idx').on(t.speakerId, t.claimedAt, t.id),
  index('claims_source_claimed_at_idx').on(t.sourceId, t.claimedAt, t.id),
  index('claims_last_reviewed_idx').on(t.lastReviewedAt, t.id),
  index('claims_search_idx').using('gin', t.search)
])

/** Live claims by status, one row per status, kept by triggers in every write's transaction. */
export const claimStatusCounts = pgTable('claim_status_counts', {
  status: text('status', { enum: ['unverified', 'corroborated', 'disputed'] }).primaryKey(),
  claims: bigint('claims', { mode: 'number' }).notNull()
})

export const claimTopics = pgTable('claim_topics', {
  claimId: uuid('claim_id').notNull().references(() => claims.id, { onDelete: 'cascade' }),
  topic: text('topic').notNull()
}, (t) => [primaryKey({ columns: [t.topic, t.claimId] }), index('claim_topics_claim_idx').on(t.claimId)])

export const reviews = pgTable('reviews', {
  id: uuid('id').primaryKey(),
  claimId: uuid('claim_id').notNull().references(() => claims.id),
  verdict: text('verdict', { enum: ['unverified', 'corroborated', 'disputed'] }).notNull(),
  previousStatus: text('previous_status', { enum: ['unverified', 'corroborated', 'disputed'] }).notNull(),
  note: text('note').notNull(),
  evidence: jsonb('evidence')
    .$type<Array<{ url: string, title?: string, stance: 'supports' | 'refutes' | 'context' }>>().notNull(),
  reviewerId: text('reviewer_id').notNull(),
  reviewerName: text('reviewer_name').notNull(),
  createdAt: text('created_at').notNull(),
  clientRef: text('client_ref')
}, (t) => [
  index('reviews_claim_idx').on(t.claimId, t.createdAt, t.id),
  index('reviews_reviewer_idx').on(t.reviewerId, t.claimId),
  uniqueIndex('reviews_client_ref_idx').on(t.reviewerId, t.clientRef).where(sql`client_ref IS NOT NULL`)
])

export const appearances = pgTable('appearances', {
  id: uuid('id').primaryKey(),
  claimId: uuid('claim_id').notNull().references(() => claims.id),
  sourceId: uuid('source_id').notNull().references(() => sources.id),
  speakerId: uuid('speaker_id').references(() => speakers.id),
  appearedAt: text('appeared_at').notNull(),
  url: text('url'),
  quote: text('quote'),
  createdAt: text('created_at').notNull()
}, (t) => [
  index('appearances_claim_idx').on(t.claimId, t.appearedAt, t.id),
  index('appearances_source_idx').on(t.sourceId),
  index('appearances_speaker_idx').on(t.speakerId)
])

export const auditEvents = pgTable('audit_events', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
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

/** Stored answers of writes sent with an `Idempotency-Key` (24 h), scoped per API key. */
export const idempotencyKeys = pgTable('idempotency_keys', {
  actorId: text('actor_id').notNull(),
  key: text('key').notNull(),
  requestHash: text('request_hash').notNull(),
  statusCode: integer('status_code').notNull(),
  response: text('response').notNull(),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at').notNull()
}, (t) => [primaryKey({ columns: [t.actorId, t.key] }), index('idempotency_expires_idx').on(t.expiresAt)])
