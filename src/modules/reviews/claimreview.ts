/**
 * schema.org ClaimReview for a reviewed claim: what Google's Fact Check markup requires
 * (claimReviewed, reviewRating, url, author) and recommends (datePublished, itemReviewed
 * with the speaker, date, appearances and first appearance).
 *
 * `appearance` lists where the claim was made: its own source first, then every recorded
 * appearance in the order it appeared; `firstAppearance` is the earliest of them (the claim's
 * own source, dated by the claim's date, when no appearance is earlier).
 *
 * Rating scale 1–3: 1 = disputed, 2 = unverified, 3 = corroborated. `alternateName` carries
 * the verdict in words, which is what fact-check readers and search engines show.
 */
import type { Claim } from '../claims/schemas.js'
import type { Speaker } from '../speakers/schemas.js'
import type { Source } from '../sources/schemas.js'
import type { Appearance } from '../appearances/repository.js'
import type { Review } from './schemas.js'

export const RATINGS = {
  disputed: { ratingValue: 1, alternateName: 'Disputed' },
  unverified: { ratingValue: 2, alternateName: 'Unverified' },
  corroborated: { ratingValue: 3, alternateName: 'Corroborated' }
} as const

export interface Publisher { name: string, url: string | undefined }

export function claimReview (claim: Claim, review: Review, speaker: Speaker, source: Source, publisher: Publisher, url: string,
  appearances: Appearance[] = []) {
  const rating = RATINGS[review.verdict]
  const organization = { '@type': 'Organization', name: publisher.name, ...(publisher.url === undefined ? {} : { url: publisher.url }) }
  const own = {
    '@type': 'CreativeWork',
    ...(source.url === null ? {} : { url: source.url }),
    headline: source.title,
    ...(source.publisher === null ? {} : { publisher: { '@type': 'Organization', name: source.publisher } }),
    ...(source.publishedAt === null ? {} : { datePublished: source.publishedAt })
  }
  const others = appearances.map((a) => ({
    '@type': 'CreativeWork',
    ...(a.url ?? a.source.url) === null ? {} : { url: a.url ?? a.source.url },
    headline: a.source.title,
    datePublished: a.appearedAt,
    ...(a.speaker === null ? {} : { author: { '@type': 'Thing', name: a.speaker.name } }),
    ...(a.quote === null ? {} : { text: a.quote })
  }))
  // The earliest appearance: the first recorded one dated before the claim, else the claim's own.
  const earlier = appearances.findIndex((a) => a.appearedAt < claim.claimedAt)
  return {
    '@context': 'https://schema.org',
    '@type': 'ClaimReview',
    url,
    claimReviewed: claim.text,
    datePublished: review.createdAt,
    author: organization,
    reviewRating: { '@type': 'Rating', ratingValue: rating.ratingValue, bestRating: 3, worstRating: 1, alternateName: rating.alternateName },
    reviewBody: review.note,
    itemReviewed: {
      '@type': 'Claim',
      author: {
        '@type': speaker.kind === 'person' ? 'Person' : 'Organization',
        name: speaker.name,
        ...(speaker.description === null ? {} : { description: speaker.description })
      },
      datePublished: claim.claimedAt,
      appearance: [own, ...others],
      firstAppearance: earlier === -1 ? own : others[earlier],
      ...(claim.quote === null ? {} : { text: claim.quote })
    }
  }
}
