/**
 * Appearances: where and when else a claim was made (ClaimReview's `appearance`), over an
 * AppearancesRepository (the SQL, one per engine). An appearance names an existing source or
 * brings its own (found by URL, else title and publisher, else created), optionally a speaker
 * (another person repeating the claim); it is added to a live claim only, and audited on that
 * claim (`claim.appearance_added`), which gets a new version, so that `asOf` and ETags follow it.
 */
import { type Ledger } from '../audit/ledger.js'
import { type WriteContext } from '../../core/context.js'
import { NotFound, RuleViolated } from '../../core/errors.js'
import { newId } from '../../db/ids.js'
import type { Repository, Transact } from '../../db/engine.js'
import { APPEARANCES_MAX } from '../claims/schemas.js'
import type { ClaimsService } from '../claims/service.js'
import type { SourcesService } from '../sources/service.js'
import type { SpeakersService } from '../speakers/service.js'
import { toAppearance, type Appearance, type AppearanceRow, type AppearancesRepository } from './repository.js'
import type { AppearanceCreate } from './schemas.js'

export interface AppearancesDeps {
  transaction: Transact
  appearances: Repository<AppearancesRepository>
  claims: Pick<ClaimsService, 'require' | 'find' | 'recordChange'>
  sources: Pick<SourcesService, 'get' | 'findOrCreate'>
  speakers: Pick<SpeakersService, 'get'>
  ledger: Pick<Ledger, 'append'>
}

function missing (what: 'sourceId' | 'speakerId', id: string): never {
  throw new RuleViolated(`${what} ${id} does not name an existing ${what === 'sourceId' ? 'source' : 'speaker'}`,
    { errors: [{ path: '/' + what, message: 'does not exist' }] })
}

export function createAppearancesService ({ transaction, appearances, claims, sources, speakers, ledger }: AppearancesDeps) {
  return {
    async add (ctx: WriteContext, claimId: string, input: AppearanceCreate): Promise<Appearance> {
      return await transaction(async () => {
        const claim = await claims.require(claimId)
        const at = new Date().toISOString()
        const source = input.source !== undefined
          ? await sources.findOrCreate(ctx, input.source, at)
          : await sources.get(input.sourceId as string) ?? missing('sourceId', input.sourceId as string)
        const speaker = input.speakerId === undefined ? null : await speakers.get(input.speakerId) ?? missing('speakerId', input.speakerId)
        const { createdAt, ...recorded }: AppearanceRow = {
          id: newId(),
          claimId,
          sourceId: source.id,
          speakerId: speaker?.id ?? null,
          appearedAt: input.appearedAt,
          url: input.url ?? null,
          quote: input.quote ?? null,
          createdAt: at
        }
        await appearances.insert({ ...recorded, createdAt })
        await claims.recordChange(claim, at)
        await ledger.append(ctx, [{ action: 'claim.appearance_added', entityType: 'claim', entityId: claimId, changes: { appearance: { from: null, to: recorded } } }], at)
        return toAppearance({ row: { ...recorded, createdAt }, sourceTitle: source.title, sourceUrl: source.url, speakerName: speaker?.name ?? null })
      })
    },

    /**
     * A claim's appearances in the order they appeared; also after the claim was deleted (its
     * history stays). With `asOf`, those recorded by then (appearances never change once
     * recorded); before the claim existed, it is not found, as a GET of it `asOf` then.
     */
    async list (claimId: string, limit: number, after?: [string, string], asOf?: string): Promise<Appearance[]> {
      const found = await claims.find(claimId)
      if (found === undefined || (asOf !== undefined && asOf < found.claim.createdAt)) throw new NotFound(`Claim ${claimId} does not exist${found === undefined ? '' : ` at ${asOf as string}`}`)
      return await appearances.list(claimId, limit, after, asOf)
    },

    /** The appearances of several claims (an export page's), by claim, each claim's in the order they appeared. */
    ofClaims: async (claimIds: string[]): Promise<Appearance[]> => await appearances.ofClaims(claimIds),

    /** Every appearance of a claim (ClaimReview lists them all). */
    all: async (claimId: string): Promise<Appearance[]> => await appearances.list(claimId, APPEARANCES_MAX)
  }
}

export type AppearancesService = ReturnType<typeof createAppearancesService>
