/**
 * Which words the candidate search uses (src/modules/matching/plan.ts): every word while the
 * store is small; in a large store, pairs of the rarer words and the words rare enough alone;
 * the two rarest together when every word is common.
 */
import t from 'tap'
import { PAIR_BUDGET, planCandidates, POSTINGS_BUDGET, RARE } from '../src/modules/matching/plan.js'
import type { SearchTerm } from '../src/modules/matching/repository.js'

const terms = ['armenian', 'forces', 'shell', 'stepanakert', 'said'].map((term) => ({ term, prefix: term !== 'said' }))
const groups = (counts: number[], budget?: number) => planCandidates(terms, counts, budget).groups.map((g: SearchTerm[]) => g.map((x) => x.term).join('+'))

t.test('a small store: every word, any of them, the rarest first', async (t) => {
  t.same(groups([120, 300, 40, 3, 900]), ['stepanakert', 'shell', 'armenian', 'forces', 'said'])
  t.same(groups([0, 0, 0, 0, 0]), ['stepanakert', 'armenian', 'forces', 'shell', 'said'], 'words no claim holds (a count may be stale) stay; the longer first between equals')
  t.same(planCandidates([], []), { groups: [] })
  t.ok(120 + 300 + 40 + 3 + 900 <= POSTINGS_BUDGET)
})

t.test('a large store: pairs of the four rarest words within the pair budget, and the words rare enough alone', async (t) => {
  t.same(groups([4_000, 250_000, 9_000, 150, 700_000]), ['stepanakert', 'armenian+shell'], 'a pair with a word rare alone would add nothing')
  t.ok(RARE >= 150 && 4_000 + 9_000 <= PAIR_BUDGET && 4_000 + 250_000 > PAIR_BUDGET, 'forces pairs with nothing: too common')
  t.same(groups([4_000, 250_000, 17_000, 900, 700_000]), ['stepanakert+armenian', 'stepanakert+shell'], 'no word rare enough alone; armenian+shell over the pair budget')
  t.same(groups([120, 300, 40, 3, 900], 100), ['stepanakert', 'shell', 'armenian'], 'the budget decides which case applies; forces has no rarer partner among the four rarest')
})

t.test('every word common: the claims holding both of the two rarest', async (t) => {
  t.same(groups([40_000, 250_000, 25_000, 60_000, 700_000]), ['shell+armenian'])
  t.same(planCandidates(terms.slice(0, 1), [40_000]).groups, [[terms[0]]], 'one word: that word')
})
