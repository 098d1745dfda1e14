/**
 * The verdict rules, in one place for the single and the bulk review endpoints:
 * a verdict that takes a side must show its evidence.
 */
import { RuleViolated } from '../../core/errors.js'
import type { ReviewCreate } from './schemas.js'

export function assertVerdictRules (input: Pick<ReviewCreate, 'verdict' | 'evidence'>): void {
  if (input.verdict !== 'unverified' && input.evidence.length === 0) {
    throw new RuleViolated(`A ${input.verdict} verdict needs at least one evidence item (evidence: [{ url, stance }])`,
      { errors: [{ path: '/evidence', message: `must have at least one item for a ${input.verdict} verdict` }] })
  }
}
