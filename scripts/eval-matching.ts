/**
 * The matching evaluation (npm run eval:matching; test/matching-eval.test.ts holds its floors).
 *
 * The store: the seeded article's 17 claims, the hard negatives of test/fixtures/matching
 * (the same claim with another number, negated, turned around, or said by someone else), and
 * distractors: 300 sentences spliced from halves of two different seeded claims (the same
 * subject and words, another claim) and 1,000 generated claims (bench/generate.ts).
 *
 * The queries: each hand-written paraphrase of the fixture, and mechanical variants of it: upper
 * case; lower case without punctuation; accents on its vowels; attributed ("<speaker> says …",
 * "According to <alias>, …"); inflection changed (plural/past forms). Each query expects one
 * seeded claim. Figures: MAP@5 (one relevant claim per query: 1/rank when in the top 5),
 * precision@1, recall@10, and how often a hard negative ranked first.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { prng } from '../bench/corpus.js'
import { claimInput } from '../bench/generate.js'
import { systemContext } from '../src/core/context.js'
import { newId } from '../src/db/ids.js'
import { loadSeeds } from '../src/seed.js'
import type { createServices } from '../src/modules/container.js'

type Services = ReturnType<typeof createServices>

interface Fixture {
  paraphrases: Array<{ claim: number, text: string }>
  hardNegatives: Array<{ of: number, text: string, speaker?: string, claimedAt?: string, why: string }>
}
interface SeedFile { source: { id: string }, speakers: Array<{ id: string, name: string, aliases: string[] }>, claims: Array<{ id: string, speaker: string, text: string, claimedAt: string }> }

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const fixture = JSON.parse(readFileSync(here('../test/fixtures/matching/queries.json'), 'utf8')) as Fixture
const seed = JSON.parse(readFileSync(here('../seeds/mail-online-2020-10-21.json'), 'utf8')) as SeedFile

export interface Evaluation {
  queries: number
  map5: number
  precisionAt1: number
  recallAt10: number
  /** Queries whose expected claim has a hard negative, and how many of them ranked one first. */
  withHardNegatives: number
  hardNegativeFirst: number
  /** Calibration: of the expected claims' scores, and of every other claim's in the results, the share at or over 0.8 and 0.5. */
  calibration: { matchesAt08: number, matchesAt05: number, othersAt08: number, othersAt05: number }
  /** The queries that missed the top rank, for a person to read. */
  misses: Array<{ query: string, expected: string, rank: number | null, first: string | undefined }>
}

const ACCENTED: Record<string, string> = { a: 'á', e: 'é', i: 'í', o: 'ó', u: 'ü' }

/** The variants of a paraphrase a user might as well have typed. */
export function variants (text: string, speaker: { name: string, aliases: string[] }): string[] {
  const attributed = /\b(says?|said|urged|according)\b|:/i.test(text)
  const alias = speaker.aliases[0] ?? speaker.name
  return [
    text,
    text.toUpperCase(),
    text.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, ' '),
    text.replace(/[aeiou]/g, (v) => ACCENTED[v] ?? v),
    ...(attributed ? [] : [`${speaker.name} says ${text}`, `According to ${alias}, ${text[0]?.toLowerCase() ?? ''}${text.slice(1)}`]),
    text.replace(/\b(\w{4,}?)s\b/g, '$1').replace(/\b(\w{4,}?)ed\b/g, '$1s')
  ].filter((v, i, all) => all.indexOf(v) === i)
}

/** Fills an empty database (the services over it) with the evaluation's store. */
export async function buildStore (services: Services): Promise<void> {
  await loadSeeds(services)
  const ctx = systemContext('eval:matching', newId())
  const speakerIds = new Map(seed.speakers.map((s) => [s.name, s.id]))
  const sourceId = seed.source.id
  await services.transaction(async (tx) => {
    const create = tx.claims.creator(ctx, new Date().toISOString())
    for (const negative of fixture.hardNegatives) {
      const of = seed.claims[negative.of] as SeedFile['claims'][number]
      const speakerId = speakerIds.get(negative.speaker ?? of.speaker) as string
      await create({ text: negative.text, speakerId, sourceId, claimedAt: negative.claimedAt ?? of.claimedAt, topics: [], language: 'en' })
    }
    const random = prng(13)
    const texts = seed.claims.map((c) => c.text.replace(/\.$/, '').split(' '))
    for (let i = 0; i < 300; i++) {
      const a = texts[random.int(texts.length)] as string[]
      const b = texts[random.int(texts.length)] as string[]
      if (a === b) continue
      const text = [...a.slice(0, Math.ceil(a.length / 2)), ...b.slice(Math.ceil(b.length / 2))].join(' ') + '.'
      const speakerId = seed.speakers[random.int(seed.speakers.length)]?.id as string
      try {
        await create({ text, speakerId, sourceId, claimedAt: '2020-10-2' + String(random.int(9)), topics: [], language: 'en' })
      } catch { /* a splice made twice: one is enough */ }
    }
    const seen = new Set<number>()
    for (let i = 0; i < 1000; i++) await create(claimInput(random, seed.speakers[i % seed.speakers.length]?.id as string, sourceId, seen))
  })
}

/** Runs every query against the store; the figures. */
export async function evaluate (services: Services): Promise<Evaluation> {
  const hardNegativeTexts = new Map<number, Set<string>>()
  for (const n of fixture.hardNegatives) hardNegativeTexts.set(n.of, (hardNegativeTexts.get(n.of) ?? new Set()).add(n.text))
  let queries = 0
  let ap = 0
  let top1 = 0
  let top10 = 0
  let withHardNegatives = 0
  let hardNegativeFirst = 0
  const misses: Evaluation['misses'] = []
  const matchScores: number[] = []
  const otherScores: number[] = []
  for (const { claim, text } of fixture.paraphrases) {
    const expected = seed.claims[claim] as SeedFile['claims'][number]
    const speaker = seed.speakers.find((s) => s.name === expected.speaker) as SeedFile['speakers'][number]
    for (const query of variants(text, speaker)) {
      const items = await services.matching.match({ text: query, limit: 10, minScore: 0 })
      const rank = items.findIndex((m) => m.claim.id === expected.id) + 1
      for (const m of items) (m.claim.id === expected.id ? matchScores : otherScores).push(m.score)
      queries++
      if (rank >= 1 && rank <= 5) ap += 1 / rank
      if (rank === 1) top1++
      if (rank >= 1) top10++
      const negatives = hardNegativeTexts.get(claim)
      if (negatives !== undefined) {
        withHardNegatives++
        const first = items[0]?.claim
        if (first !== undefined && first.id !== expected.id && negatives.has(first.text)) hardNegativeFirst++
      }
      if (rank !== 1) misses.push({ query, expected: expected.text, rank: rank === 0 ? null : rank, first: items[0]?.claim.text })
    }
  }
  const share = (scores: number[], at: number) => scores.filter((s) => s >= at).length / Math.max(1, scores.length)
  const calibration = {
    matchesAt08: share(matchScores, 0.8),
    matchesAt05: share(matchScores, 0.5),
    othersAt08: share(otherScores, 0.8),
    othersAt05: share(otherScores, 0.5)
  }
  return { queries, map5: ap / queries, precisionAt1: top1 / queries, recallAt10: top10 / queries, withHardNegatives, hardNegativeFirst, calibration, misses }
}

/** The figures as the README quotes them. */
export function summary (e: Evaluation): string {
  const f = (n: number) => n.toFixed(3)
  const pct = (n: number) => `${(n * 100).toFixed(0)}%`
  return `${e.queries} queries: MAP@5 ${f(e.map5)}, precision@1 ${f(e.precisionAt1)}, recall@10 ${f(e.recallAt10)}; ` +
    `a hard negative ranked first in ${e.hardNegativeFirst} of the ${e.withHardNegatives} queries whose claim has one; ` +
    `scores ≥ 0.8: ${pct(e.calibration.matchesAt08)} of the expected claims, ${pct(e.calibration.othersAt08)} of the others listed; ` +
    `≥ 0.5: ${pct(e.calibration.matchesAt05)} and ${pct(e.calibration.othersAt05)}`
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { openSqliteEngine } = await import('../src/db/sqlite/engine.js')
  const { createServices } = await import('../src/modules/container.js')
  const engine = openSqliteEngine(':memory:')
  const services = createServices(engine)
  await buildStore(services)
  const result = await evaluate(services)
  for (const miss of result.misses) {
    console.log(`rank ${miss.rank ?? '>10'}: ${JSON.stringify(miss.query)}\n  expected: ${miss.expected}\n  first:    ${miss.first ?? '(none)'}`)
  }
  console.log(summary(result))
  await engine.close()
}
