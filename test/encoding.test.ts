/**
 * Bodies are UTF-8. A file saved as Windows-1252 (one byte 0xE9 for "é") used to reach the
 * database with U+FFFD in every accented name: now JSON, NDJSON and CSV bodies that are not
 * UTF-8 get a 400 naming the line, and nothing is written — not even an import's earlier lines.
 */
import t from 'tap'
import { decodeUtf8, Utf8Check } from '../src/core/utf8.js'
import { claimInput, dump, harness } from './helpers.js'

const latin1 = (text: string) => Buffer.from(text, 'latin1')
const utf8 = (text: string) => Buffer.from(text, 'utf8')

t.test('a JSON body that is not UTF-8: 400 naming its line, nothing written', async (t) => {
  const { as, engine } = await harness(t)
  const before = await dump(engine)
  const body = latin1(JSON.stringify(claimInput({ text: 'Pashinyan said the café was shelled' }), null, 2))
  const res = await as('editor')('POST', '/v1/claims', body, { 'content-type': 'application/json' })
  t.equal(res.statusCode, 400)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.match(res.data, {
    type: 'https://claimledger.dev/problems/invalid-encoding',
    title: 'Body is not UTF-8',
    detail: /^Line 2 of the body is not UTF-8 text; nothing was written\. Encode it as UTF-8/,
    line: 2
  })
  t.same(await dump(engine), before)

  // The same claim in UTF-8 (with a byte order mark, as some editors save it) is stored as written.
  const good = await as('editor')('POST', '/v1/claims', Buffer.concat([utf8('\ufeff'), utf8(body.toString('latin1'))]), { 'content-type': 'application/json' })
  t.equal(good.statusCode, 201)
  t.equal(good.data.text, 'Pashinyan said the café was shelled')
})

t.test('an NDJSON or CSV import that is not UTF-8 on its last line: 400, and its good lines are not imported either', async (t) => {
  const { as, engine } = await harness(t)
  const before = await dump(engine)
  const lines = [1, 2, 3].map((i) => JSON.stringify(claimInput({ text: `Imported claim ${i}` })))
  const ndjson = Buffer.concat([utf8(lines.slice(0, 2).join('\n') + '\n'), latin1(lines[2]?.replace('claim 3', 'claim é') ?? '')])
  const res = await as('editor')('POST', '/v1/claims/import', ndjson, { 'content-type': 'application/x-ndjson' })
  t.equal(res.statusCode, 400)
  t.match(res.data, { type: /invalid-encoding$/, line: 3 })

  const csv = Buffer.concat([utf8('text,speakerName,sourceTitle,claimedAt\nFine,Nikol Pashinyan,A source,2020-10-21\n'), latin1('Café,Nikol Pashinyan,A source,2020-10-21\n')])
  const csvRes = await as('editor')('POST', '/v1/claims/import', csv, { 'content-type': 'text/csv' })
  t.equal(csvRes.statusCode, 400)
  t.match(csvRes.data, { type: /invalid-encoding$/, detail: /^Line 3 of the body/, line: 3 })
  t.same(await dump(engine), before, 'nothing imported')
})

t.test('the streaming check finds the line wherever the chunks are cut', async (t) => {
  const text = 'claimId,verdict,note\nabc,disputed,Ağdam — "ölü"\n'
  const bad = Buffer.concat([utf8(text), utf8('x,y,'), Buffer.from([0xc3, 0x28]), utf8('\nlast\n')]) // 0xC3 0x28: a lead byte without its continuation
  const lineOf = (chunks: Buffer[]) => {
    const check = new Utf8Check()
    try {
      for (const chunk of chunks) check.push(chunk)
      check.end()
      return undefined
    } catch (error) {
      return (error as { details: { line: number } }).details.line
    }
  }
  // Every way of cutting the body in two, and in single bytes: multi-byte characters split across chunks are fine.
  for (let cut = 0; cut <= bad.length; cut++) {
    t.equal(lineOf([bad.subarray(0, cut), bad.subarray(cut)]), 3, `cut at ${cut}`)
    t.equal(lineOf([utf8(text).subarray(0, cut), utf8(text).subarray(cut)]), undefined, `valid, cut at ${cut}`)
  }
  t.equal(lineOf([...bad].map((byte) => Buffer.from([byte]))), 3, 'byte by byte')
  t.equal(lineOf([utf8(text), Buffer.from([0xe2, 0x80])]), 3, 'a character cut short at the very end')
  t.equal(lineOf([Buffer.from([0xff]), utf8('\nfine\n')]), 1, 'the first line of the first chunk')

  t.equal(decodeUtf8(utf8('\ufeffPashinyan')), 'Pashinyan', 'a byte order mark is dropped')
  t.equal(lineOf([Buffer.concat([utf8('a\nb\n'), Buffer.from([0xed, 0xa0, 0x80])])]), 3, 'an encoded surrogate is not UTF-8')
  t.throws(() => decodeUtf8(latin1('a\nCafé')), { name: 'Unreadable', message: /^Line 2 of the body is not UTF-8/ })
})
