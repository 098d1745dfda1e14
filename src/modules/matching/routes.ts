import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { problems } from '../../http/schemas.js'
import { matchPage, matchQuery } from './schemas.js'

const routes: FastifyPluginAsyncZod = async (app) => {
  const { matching } = app.services

  app.post('/v1/claims/match', {
    config: { role: 'viewer' },
    schema: {
      tags: ['Claims'],
      summary: 'Has this been checked before? The stored claims most like a statement, best first',
      description: 'Candidates are the live claims sharing any content word with `text` (stemmed: "killed" finds "kill", ' +
        '"kills"; accents, case and punctuation ignored; a few news synonyms such as troops/soldiers read as one) in their ' +
        'text, quote, context, speaker\'s names or the quotes of their appearances. In a large store, where common words ' +
        'are in a great many claims, a candidate must share two of the statement\'s rarer words, or one rare enough alone ' +
        '(a name, a number), so that a match costs about the same at a million claims as at a thousand. Candidates are scored ' +
        'in [0, 1] against the claim\'s text, its quote or an appearance\'s quote (the closest) by how many words they ' +
        'share and in what order, then held to the facts: numbers that differ halve ' +
        'the score ("772 soldiers" is not "700 soldiers"), a negation on one side only takes 40% off, another speaker 25% ' +
        '(the same speaker adds a little). A score means the same across queries: ≥ 0.8 is almost certainly the same ' +
        'claim, 0.5–0.8 the same subject. Deleted claims never match. Each match carries its current status and its ' +
        'newest review, and `reasons` say why it scored as it did. Reads only (POST because a statement can be long).',
      body: matchQuery,
      response: { 200: matchPage, ...problems(400, 422) }
    }
  }, async (request) => ({ items: await matching.match(request.body) }))
}

export default routes
