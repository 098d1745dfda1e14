/**
 * Which words the candidate search uses (src/modules/matching/plan.ts): every word while the
 * store is small; in a large store, pairs of the rarer words and the words rare enough alone, a
 * word's forms and synonyms counting as that word; the two rarest together when every word is
 * common.
 */
import t from 'tap'
import { analyse, searchTerms } from '../src/modules/matching/analyse.js'
import { PAIR_BUDGET, planCandidates, POSTINGS_BUDGET, RARE, type CandidatePlan } from '../src/modules/matching/plan.js'

const terms = ['armenian', 'forces', 'shell', 'stepanakert', 'said'].map((term, word) => ({ term, prefix: term !== 'said', word }))
/** A plan as text: groups as a list, a group's words joined by +, a word's alternatives by |. */
const render = (plan: CandidatePlan) => plan.groups.map((group) => group.map((unit) => unit.map((x) => x.term).join('|')).join('+'))
const groups = (counts: number[], budget?: number) => render(planCandidates(terms, counts, budget))

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
  t.same(groups([120, 300, 40, 3, 900], 100), ['stepanakert', 'shell', 'armenian', 'forces+said'], 'the budget decides which case applies; the words too common alone pair')
})

t.test('a word\'s forms and synonyms are one word: counted together, never paired with each other', async (t) => {
  const statement = searchTerms(analyse('Azerbaijani forces shelled Stepanakert overnight'))
  const count: Record<string, number> = { azerbaijan: 30_000, forc: 8_000, troop: 3_000, soldier: 2_000, servicemen: 150, servicemembers: 50, shell: 6_000, bombard: 190, stepanakert: 3_000, overnight: 9_000 }
  const plan = render(planCandidates(statement, statement.map((x) => count[x.term] ?? 0)))
  t.notOk(plan.some((g) => /^(servicemen|servicemembers|bombard)$/.test(g)), `no synonym finds candidates alone as if it were a rare word of the statement: ${JSON.stringify(plan)}`)
  t.ok(plan.some((g) => g.includes('stepanakert+')), 'the rare place pairs with another word')
  t.ok(plan.every((g) => !/troop[^+]*\+[^+]*soldier|soldier[^+]*\+[^+]*troop/.test(g)), 'never troops AND soldiers: one word')
  const forces = plan.flatMap((g) => g.split('+')).find((u) => u.includes('troop'))
  t.ok(forces?.includes('soldier') === true && forces.includes('forc'), `"forces" searched as any of its forms: ${forces}`)
})

t.test('every word common: the claims holding both of the two rarest', async (t) => {
  t.same(groups([40_000, 250_000, 25_000, 60_000, 700_000]), ['shell+armenian'])
  t.same(render(planCandidates(terms.slice(0, 1), [40_000])), ['armenian'], 'one word: that word')
})
