/**
 * The committed matching evaluation (scripts/eval-matching.ts, npm run eval:matching) on this
 * engine: its figures may not drop below the floors committed here, and no hard negative (the
 * same claim with another number, negated, turned around, said by someone else) may rank first.
 */
import t from 'tap'
import { buildStore, evaluate, summary } from '../scripts/eval-matching.js'
import { harness } from './helpers.js'

t.setTimeout(180_000)

/** Floors a little under the figures measured when they were set (README: Matching). */
const FLOORS = { map5: 0.95, precisionAt1: 0.95, recallAt10: 0.97 }

t.test('paraphrases find their claim; hard negatives never come first', async (t) => {
  const { app } = await harness(t)
  await buildStore(app.services)
  const result = await evaluate(app.services)
  t.comment(summary(result))
  t.ok(result.queries >= 250, `${result.queries} queries`)
  t.ok(result.map5 >= FLOORS.map5, `MAP@5 ${result.map5.toFixed(3)} ≥ ${FLOORS.map5}`)
  t.ok(result.precisionAt1 >= FLOORS.precisionAt1, `precision@1 ${result.precisionAt1.toFixed(3)} ≥ ${FLOORS.precisionAt1}`)
  t.ok(result.recallAt10 >= FLOORS.recallAt10, `recall@10 ${result.recallAt10.toFixed(3)} ≥ ${FLOORS.recallAt10}`)
  t.ok(result.withHardNegatives >= 100, `${result.withHardNegatives} queries whose claim has a hard negative`)
  t.equal(result.hardNegativeFirst, 0, 'no hard negative ranked first')
  t.ok(result.calibration.othersAt08 <= 0.05, `a score ≥ 0.8 is almost always the claim: ${(result.calibration.othersAt08 * 100).toFixed(1)}% of other listed claims reach it`)
})
