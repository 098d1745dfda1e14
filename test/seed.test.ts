import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { capturedGround } from '../src/modules/claims/examples.js'
import { isEmpty, loadSeeds, seedsFolder } from '../src/seed.js'
import { SEEDED } from '../src/seeded.js'
import { mailOnline } from '../src/modules/sources/examples.js'
import { governmentOfAzerbaijan, pashinyan } from '../src/modules/speakers/examples.js'
import { harness } from './helpers.js'

// A copy of ../shared/000_788ac0297a8b96ff.txt, the article the seeds come from.
const article = readFileSync(new URL('fixtures/article-mail-online-2020-10-21.txt', import.meta.url), 'utf8')
const seed = JSON.parse(readFileSync(join(seedsFolder, 'mail-online-2020-10-21.json'), 'utf8'))

t.test('seeds load through the services, with their history, exactly once', async (t) => {
  const { app, as } = await harness(t)
  t.ok(await isEmpty(app.services))
  const first = await loadSeeds(app.services)
  t.same(first, { loaded: ['mail-online-2020-10-21.json'], skipped: [], claims: seed.claims.length })
  t.ok(seed.claims.length >= 12, 'at least 12 claims from the article')
  t.notOk(await isEmpty(app.services))

  const events = (await as('viewer')('GET', '/v1/audit?limit=1000')).data.items
  const seeded = events.filter((e: { actor?: { id: string } }) => e.actor?.id.startsWith('system:seed'))
  t.equal(seeded.filter((e: { action: string }) => e.action === 'claim.created').length, seed.claims.length)
  t.equal(seeded.filter((e: { action: string }) => e.action === 'speaker.created').length, seed.speakers.length)
  t.equal(seeded.filter((e: { action: string }) => e.action === 'source.created').length, 1)
  t.match(seeded[0].actor, { id: 'system:seed mail-online-2020-10-21.json', name: 'system:seed mail-online-2020-10-21.json' })

  const again = await loadSeeds(app.services)
  t.same(again, { loaded: [], skipped: ['mail-online-2020-10-21.json'], claims: 0 }, 'a second run changes nothing')
  t.equal((await as('viewer')('GET', '/v1/audit?limit=1000')).data.items.length, events.length)
  t.equal((await as('admin')('GET', '/v1/audit/verify')).data.ok, true)
})

t.test('seeded claims match the article', async (t) => {
  const { app, as } = await harness(t)
  await loadSeeds(app.services)
  const claims = (await as('viewer')('GET', '/v1/claims?limit=200')).data.items
  t.equal(claims.length, seed.claims.length)
  for (const claim of claims) {
    t.equal(claim.status, 'unverified')
    t.equal(claim.claimedAt, '2020-10-21')
    if (claim.quote !== null) t.ok(article.includes(claim.quote), `quote is verbatim: ${claim.quote}`)
  }
  const speakers = (await as('viewer')('GET', '/v1/speakers?limit=200')).data.items
  const byName = (name: string) => speakers.find((s: { name: string, aliases: string[] }) => s.name === name || s.aliases.includes(name))
  t.match(byName('Pashinyan'), { name: 'Nikol Pashinyan', kind: 'person', description: 'Prime Minister of Armenia' })
  t.match(byName('Aliyev'), { kind: 'person', description: /President of Azerbaijan/ })
  t.match(byName('Yerevan'), { kind: 'government' })
  t.match(byName('Baku'), { kind: 'government' })
  t.match(byName("Lavrov's ministry"), { kind: 'government' })
  const quoted = claims.find((c: { quote: string | null }) => c.quote?.startsWith('Everything that is diplomatically acceptable'))
  t.equal(quoted.speaker.name, 'Nikol Pashinyan')
  const sources = (await as('viewer')('GET', '/v1/sources')).data.items
  t.match(sources, [{ publisher: 'Mail Online', publishedAt: '2020-10-21', kind: 'article' }])
})

t.test('a seeded claim that was edited or deleted is never brought back; renamed speakers do not break seeding', async (t) => {
  const { app, as } = await harness(t)
  await loadSeeds(app.services)
  const claims = (await as('viewer')('GET', '/v1/claims?limit=200')).data.items
  await as('editor')('PATCH', `/v1/claims/${claims[0].id}`, { text: 'Edited by the desk' })
  await as('editor')('DELETE', `/v1/claims/${claims[1].id}`)
  await as('editor')('PATCH', `/v1/speakers/${claims[2].speakerId}`, { name: 'Renamed speaker' })
  const events = (await as('viewer')('GET', '/v1/audit?limit=1000')).data.items.length
  t.same(await loadSeeds(app.services), { loaded: [], skipped: ['mail-online-2020-10-21.json'], claims: 0 })
  t.equal((await as('viewer')('GET', '/v1/claims?limit=200')).data.items.length, claims.length - 1)
  t.equal((await as('viewer')('GET', '/v1/audit?limit=1000')).data.items.length, events)
})

t.test('seeded records get the seed file\'s fixed ids, which the documentation\'s examples name', async (t) => {
  const { app, as } = await harness(t)
  await loadSeeds(app.services)
  const read = async (path: string) => (await as('viewer')('GET', path)).data
  t.equal((await read(`/v1/sources/${seed.source.id}`)).title, seed.source.title)
  for (const speaker of seed.speakers) t.equal((await read(`/v1/speakers/${speaker.id}`)).name, speaker.name)
  for (const claim of seed.claims) t.match(await read(`/v1/claims/${claim.id}`), { text: claim.text, speaker: { name: claim.speaker } })

  const fileIds = [seed.source, ...seed.speakers, ...seed.claims].map((record: { id: string }) => record.id)
  const named = [...Object.values(SEEDED.source), ...Object.values(SEEDED.speakers), ...Object.values(SEEDED.claims)]
  t.same(named.filter((id) => !fileIds.includes(id)), [], 'every id the examples name is in the seed file')

  // The examples show seeded records exactly as seeding stores them, times aside.
  const untimed = ({ createdAt, updatedAt, ...rest }: Record<string, unknown>) => rest
  t.same(untimed(await read(`/v1/claims/${SEEDED.claims.capturedGround}`)), untimed(capturedGround))
  t.same(untimed(await read(`/v1/speakers/${SEEDED.speakers.pashinyan}`)), untimed(pashinyan))
  t.same(untimed(await read(`/v1/speakers/${SEEDED.speakers.governmentOfAzerbaijan}`)), untimed(governmentOfAzerbaijan))
  t.same(untimed(await read(`/v1/sources/${SEEDED.source.mailOnline}`)), untimed(mailOnline))
})
