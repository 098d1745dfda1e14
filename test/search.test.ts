import t from 'tap'
import { claimSorts } from '../src/modules/claims/schemas.js'
import { claimInput, harness } from './helpers.js'

const texts = (res: { data: { items: Array<{ text: string }> } }) => res.data.items.map((c) => c.text)

t.test('q: every word, any case or accent, over text, quote, context and speaker names', async (t) => {
  const { as } = await harness(t)
  await as('editor')('POST', '/v1/claims', claimInput({ text: 'A ceasefire was agreed in Moscow', context: 'After eleven hours of talks' }))
  await as('editor')('POST', '/v1/claims', claimInput({ text: 'Fighting resumed', quote: 'the ceasefire never held' }))
  await as('editor')('POST', '/v1/claims', claimInput({ text: 'Casualties rose', speaker: { name: 'Government of Armenia', kind: 'government' } }))
  await as('editor')('PATCH', `/v1/speakers/${(await as('viewer')('GET', '/v1/speakers?q=government')).data.items[0].id}`, { aliases: ['Yerevan'] })
  await as('editor')('POST', '/v1/claims', claimInput({ text: 'Café société déclaration' }))

  const q = async (query: string) => texts(await as('viewer')('GET', `/v1/claims?q=${encodeURIComponent(query)}`))
  t.same(await q('ceasefire'), ['A ceasefire was agreed in Moscow', 'Fighting resumed'], 'text beats quote in relevance')
  t.same(await q('CEASEFIRE moscow'), ['A ceasefire was agreed in Moscow'], 'two words: both must match')
  t.same(await q('eleven hours'), ['A ceasefire was agreed in Moscow'], 'context')
  t.same(await q('yerevan'), ['Casualties rose'], 'a speaker alias added after the claim is searchable at once')
  t.same((await q('pashinyan')).sort(), ['A ceasefire was agreed in Moscow', 'Café société déclaration', 'Fighting resumed'], 'speaker name')
  t.same(await q('cafe societe'), ['Café société déclaration'], 'accents ignored')
  t.same(await q('nothing-like-this'), [])
})

t.test('the index follows edits, deletions and renames in the same transaction', async (t) => {
  const { as } = await harness(t)
  const c = await as('editor')('POST', '/v1/claims', claimInput({ text: 'Original wording' }))
  const q = async (query: string) => texts(await as('viewer')('GET', `/v1/claims?q=${query}`))
  await as('editor')('PATCH', `/v1/claims/${c.data.id}`, { text: 'Revised wording' })
  t.same(await q('original'), [])
  t.same(await q('revised'), ['Revised wording'])
  await as('editor')('PATCH', `/v1/speakers/${c.data.speakerId}`, { name: 'Nikol Vovayi Pashinyan' })
  t.same(await q('vovayi'), ['Revised wording'], 'speaker rename')
  await as('editor')('DELETE', `/v1/claims/${c.data.id}`)
  t.same(await q('revised'), [], 'deleted claims are not found')
})

t.test('user input never breaks the query syntax', async (t) => {
  const { as } = await harness(t)
  await as('editor')('POST', '/v1/claims', claimInput({ text: 'Near the front line, a "truce" (of sorts) - maybe' }))
  for (const hostile of ['"', '""', '*', 'NEAR(', 'NEAR(truce front, 2)', '-', '(((', ')', 'truce OR front', 'truce AND', 'NOT truce',
    "'; DROP TABLE claims; --", 'text:truce', '^truce', 'truce*', '{col}', '\u0000', '🇦🇲', '  ', 'a'.repeat(500)]) {
    const res = await as('viewer')('GET', `/v1/claims?q=${encodeURIComponent(hostile)}`)
    t.ok(res.statusCode === 200 || res.statusCode === 400, `${JSON.stringify(hostile)} → ${res.statusCode}`)
  }
  t.same(texts(await as('viewer')('GET', `/v1/claims?q=${encodeURIComponent('"truce" (front')}`)), ['Near the front line, a "truce" (of sorts) - maybe'])
  t.same(texts(await as('viewer')('GET', `/v1/claims?q=${encodeURIComponent('truce NOT front')}`)), [], 'NOT is a word here, and it is not in the text')
})

t.test('search pages by relevance or by any other sort', async (t) => {
  const { as } = await harness(t)
  for (let i = 0; i < 7; i++) {
    await as('editor')('POST', '/v1/claims', claimInput({ text: `Shelling report ${i}${' shelling'.repeat(i % 3)}`, claimedAt: `2020-10-1${i}` }))
  }
  const whole = texts(await as('viewer')('GET', '/v1/claims?q=shelling'))
  t.equal(whole.length, 7)
  const walk = async (url: string | undefined) => {
    const out: string[] = []
    while (url !== undefined) {
      const page = await as('viewer')('GET', url)
      out.push(...texts(page))
      url = page.data.nextCursor === null ? undefined : /^<([^>]+)>/.exec(page.headers.link as string)?.[1]
    }
    return out
  }
  t.same(await walk('/v1/claims?q=shelling&limit=3'), whole, 'relevance pages cover every match once, in order')
  // With another filter the ranking joins claims first; its pages agree with the same order.
  t.same(await walk('/v1/claims?q=shelling&status=unverified&limit=2'), whole, 'a filter that keeps every match: the same order, paged')
  t.same(await walk('/v1/claims?q=shelling&claimedFrom=2020-10-13&limit=1'), whole.filter((text) => Number(/\d/.exec(text)?.[0]) >= 3),
    'a filter that keeps some: the same relative order')
  t.same(texts(await as('viewer')('GET', '/v1/claims?q=shelling&sort=claimedAt&limit=2')), ['Shelling report 0', 'Shelling report 1 shelling'])
  t.equal((await as('viewer')('GET', '/v1/claims?sort=relevance')).statusCode, 400, 'relevance needs q')
  const first = await as('viewer')('GET', '/v1/claims?q=shelling&limit=2')
  t.equal((await as('viewer')('GET', `/v1/claims?q=shelling&sort=claimedAt&cursor=${first.data.nextCursor}`)).statusCode, 400)
})

t.test('a search in date order is the same whether most claims match (the date index is walked) or few do (the matches are sorted)', async (t) => {
  const { as } = await harness(t)
  // 40 claims, 30 of them about shelling, on days that do not follow the order they were made in;
  // 2 about a truce. Pages of 4: the shelling search walks the date index, the truce one sorts.
  for (let i = 0; i < 40; i++) {
    const day = String(1 + (i * 7) % 28).padStart(2, '0')
    const text = i < 30 ? `Shelling report ${i}` : i < 32 ? `Truce report ${i}` : `Other report ${i}`
    await as('editor')('POST', '/v1/claims', claimInput({ text, claimedAt: `2020-10-${day}` }))
  }
  const everything = (await as('viewer')('GET', '/v1/claims?limit=100&sort=-claimedAt')).data.items as Array<{ text: string, claimedAt: string }>
  const paged = async (url: string | undefined) => {
    const out: string[] = []
    for (let pages = 0; url !== undefined && pages < 20; pages++) {
      const page = await as('viewer')('GET', url)
      out.push(...texts(page))
      url = page.data.nextCursor === null ? undefined : /^<([^>]+)>/.exec(page.headers.link as string)?.[1]
    }
    return out
  }
  for (const [word, sort] of [['shelling', '-claimedAt'], ['shelling', 'claimedAt'], ['shelling', '-createdAt'], ['truce', '-claimedAt'], ['truce', 'createdAt']] as const) {
    const all = (await as('viewer')('GET', `/v1/claims?limit=100&sort=${sort}`)).data.items as Array<{ text: string }>
    const expected = all.map((c) => c.text).filter((text) => text.toLowerCase().startsWith(word))
    t.same(await paged(`/v1/claims?q=${word}&sort=${sort}&limit=4`), expected, `q=${word}&sort=${sort}: every match once, in the sort's order, paged`)
  }
  t.equal(everything.length, 40)
})

t.test('no documented listing scans the claims table', async (t) => {
  const { app } = await harness(t)
  const id = '01890a5d-ac96-774b-bcce-b302099a8057'
  const filters: Array<Record<string, string>> = [
    {}, { status: 'disputed' }, { speakerId: id }, { sourceId: id }, { topic: 'ceasefire' },
    { claimedFrom: '2020-01-01', claimedTo: '2020-12-31' }, { reviewer: id }, { q: 'ceasefire' }, { status: 'disputed', speakerId: id }
  ]
  let plans = 0
  for (const sort of claimSorts.filter((s) => s !== 'relevance')) {
    for (const filter of filters) {
      const plan = await app.services.claims.plan({ ...filter, sort, limit: 51 } as never)
      plans++
      t.notOk(plan.some((step) => /^SCAN claims\b/.test(step) && !/USING (COVERING )?INDEX/.test(step)),
        `${sort} ${JSON.stringify(filter)}: ${plan.join(' | ')}`)
    }
  }
  t.ok(plans >= 50)
})
