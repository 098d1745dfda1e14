/**
 * `claimledger review` as a desk uses it: a spreadsheet with mistakes in it, run, fixed in the
 * report, rerun in other batches and after the idempotency window; a server that is not there;
 * a file that is not there. The CLI runs as its own process against the API on a real socket.
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parse } from 'csv-parse/sync'
import t from 'tap'
import { claimInput, ensureBuilt, harness, type Harness } from './helpers.js'

const root = ensureBuilt()
t.setTimeout(120_000)

interface Run { code: number, stdout: string, stderr: string }

async function review (h: Harness, base: string, ...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/claimledger.js', 'review', ...args],
      { cwd: root, env: { PATH: process.env.PATH, CLAIMLEDGER_URL: base, CLAIMLEDGER_KEY: h.keys.reviewer }, timeout: 60_000 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number, stdout: string, stderr: string }
    return { code, stdout, stderr }
  }
}

const reviewCount = (h: Harness, id: string) =>
  (h.database.sqlite.prepare('SELECT count(*) AS n FROM reviews WHERE claim_id = ?').get(id) as { n: number }).n

t.test('a desk\'s file: bad rows reported as they were, fixed, rerun in other batches and a day later: no row applied twice', async (t) => {
  const h = await harness(t)
  const ids: string[] = []
  for (let i = 0; i < 6; i++) ids.push((await h.as('editor')('POST', '/v1/claims', claimInput({ text: `Claim ${i}` }))).data.id)
  const base = await h.app.listen({ port: 0, host: '127.0.0.1' })
  const missing = '01890a5d-ac96-774b-bcce-b302099a8057'
  const file = join(h.dir, 'reviews.csv')
  const header = 'claimId,verdict,note,evidenceUrl,evidenceStance,desk'
  writeFileSync(file, [
    header,
    `${ids[0]},disputed,"Baku's figure, unconfirmed",https://www.osce.org/,,ana`, // line 2: fine
    `${ids[1]},corroborated,Confirmed,https://www.osce.org/,,ben`, // line 3: fine
    `${missing},disputed,No such claim,https://www.osce.org/,,ana`, // line 4: 404 from the server
    'not-a-uuid,disputed,Typo in the id,https://www.osce.org/,,ben', // line 5: refused locally
    `${ids[2]},dispute,Typo in the verdict,,,ana`, // line 6: one message about the verdict
    `${ids[3]},unverified,Listed twice,,,ben`, // lines 7 and 8: the same claim twice
    `${ids[3]},disputed,Listed twice,https://www.osce.org/,,ben`,
    `${ids[4]},unverified,Reopened,,,ana` // line 9: fine
  ].join('\n') + '\n')

  const first = await review(h, base, file, '--batch-size', '2')
  t.equal(first.code, 1, first.stderr)
  t.match(first.stdout, '8 rows: applied 3, applied before 0 (not applied again), rejected 5')
  const report = `${file}.rejected.csv`
  const rejected = parse(readFileSync(report, 'utf8'), { columns: true }) as Array<Record<string, string>>
  t.same(Object.keys(rejected[0] ?? {}), ['claimId', 'verdict', 'note', 'evidenceUrl', 'evidenceStance', 'desk', 'line', 'reason'],
    'the original columns, then line and reason')
  t.same(rejected.map((r) => r.line), ['4', '5', '6', '7', '8'])
  t.match(rejected[0], { claimId: missing, note: 'No such claim', desk: 'ana', reason: /^404: / })
  t.match(rejected[1]?.reason, /^claimId must be a claim's UUID \(got "not-a-uuid"\)$/)
  t.match(rejected[2]?.reason, /^verdict must be one of unverified, corroborated, disputed \(got "dispute"\)$/, 'one message, no stance error')
  t.match(rejected[3]?.reason, /is on lines 7, 8: review it once per file/)
  t.same(ids.map((id) => reviewCount(h, id)), [1, 1, 0, 0, 1, 0])

  // The desk fixes the rows in the report and feeds it back as it is (line and reason are ignored).
  const fixed = readFileSync(report, 'utf8')
    .replace(missing, ids[5] as string).replace('not-a-uuid', ids[5] as string).replace(',dispute,', ',disputed,')
  const fixedLines = fixed.trimEnd().split('\n')
  writeFileSync(report, [...fixedLines.slice(0, 2), fixedLines[3], fixedLines[5]].join('\n') + '\n') // drop one duplicate, and the second ids[5] row
  t.match(readFileSync(report, 'utf8'), /,disputed,Typo in the verdict,/)
  const second = await review(h, base, report)
  t.equal(second.code, 1, 'the verdict row still lacks evidence, so it comes back')
  t.match(second.stdout, '3 rows: applied 2, applied before 0 (not applied again), rejected 1')
  t.match(readFileSync(report, 'utf8'), /,disputed,Typo in the verdict,,,ana,6,"A disputed verdict needs at least one evidence item/,
    'still the sheet\'s line 6, refused before sending')
  t.equal(readFileSync(report, 'utf8').trimEnd().split('\n').length, 2, 'a report fed back is rewritten with the rows still rejected')

  // The original file, with its mistakes fixed in place, rerun in batches of 5, a "day" later.
  h.database.sqlite.prepare('DELETE FROM idempotency_keys').run()
  writeFileSync(file, readFileSync(file, 'utf8')
    .replace(missing, ids[5] as string).replace('not-a-uuid,disputed,Typo in the id,https://www.osce.org/,,ben\n', '')
    .replace(`${ids[2]},dispute,Typo in the verdict,,,ana`, `${ids[2]},disputed,Typo in the verdict,https://www.osce.org/,,ana`)
    .replace(`${ids[3]},unverified,Listed twice,,,ben\n`, '')) // the row the desk kept in the report too
  const third = await review(h, base, file, '--batch-size', '5')
  t.equal(third.code, 0, third.stdout + third.stderr)
  t.match(third.stdout, /^6 rows: applied 1, applied before 5 \(not applied again\), rejected 0$/m)
  t.match(third.stdout, `removed ${report}, left by an earlier run`)
  t.notOk(existsSync(report), 'a clean run removes the stale report')
  t.same(ids.map((id) => reviewCount(h, id)), [1, 1, 1, 1, 1, 1], 'every claim reviewed exactly once')

  // The third run's batches again: the server replays their first answer (one row "applied"), and says so.
  const replayed = await review(h, base, file, '--batch-size', '5')
  t.match(replayed.stdout, '6 rows: applied 0, applied before 6 (not applied again), rejected 0')
  const again = await review(h, base, file, '--batch-size', '1')
  t.match(again.stdout, '6 rows: applied 0, applied before 6 (not applied again), rejected 0')
  t.same(ids.map((id) => reviewCount(h, id)), [1, 1, 1, 1, 1, 1])

  // A row edited after it went through is not applied a second time: it comes back, saying why.
  writeFileSync(file, readFileSync(file, 'utf8').replace('"Baku\'s figure, unconfirmed"', '"Baku\'s figure, still unconfirmed"'))
  const edited = await review(h, base, file)
  t.equal(edited.code, 1)
  t.match(edited.stdout, '6 rows: applied 0, applied before 5 (not applied again), rejected 1')
  t.match(readFileSync(report, 'utf8'), /still unconfirmed.*,2,"409: clientRef ""reviews\.csv#.*"" was already applied by this key/)
  t.same(ids.map((id) => reviewCount(h, id)), [1, 1, 1, 1, 1, 1], 'still one review each')
  // Under another job the same rows are new decisions.
  t.match((await review(h, base, file, '--job', 'second-pass')).stdout, '6 rows: applied 6, applied before 0')
})

t.test('ordinary mistakes get one line and exit 2: no file, no server', async (t) => {
  const h = await harness(t)
  const nothing = await review(h, 'http://127.0.0.1:3000', join(h.dir, 'nofile.csv'))
  t.equal(nothing.code, 2)
  t.equal(nothing.stderr, `claimledger: cannot read ${join(h.dir, 'nofile.csv')}: no such file\n`)

  // A port nobody listens on: taken from the system, then given back.
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as { port: number }).port
  await new Promise((resolve) => probe.close(resolve))
  const file = join(h.dir, 'one.csv')
  writeFileSync(file, `claimId,verdict,note\n${'01890a5d-ac96-774b-bcce-b302099a8057'},unverified,Reopened\n`)
  const down = await review(h, `http://127.0.0.1:${port}`, file)
  t.equal(down.code, 2)
  t.match(down.stderr, new RegExp(`^claimledger: cannot reach http://127\\.0\\.0\\.1:${port}/v1/reviews/bulk \\(ECONNREFUSED\\) ` +
    'while sending batch 1/1 .*is the server running'))
  t.notMatch(down.stderr, /retrying/, 'no retries for a port nobody listens on')
  t.equal(down.stderr.trim().split('\n').length, 1, 'one line')
})

t.test('a batch whose answer is lost is retried under the same Idempotency-Key: applied once, counted once', async (t) => {
  const h = await harness(t)
  const ids: string[] = []
  for (let i = 0; i < 3; i++) ids.push((await h.as('editor')('POST', '/v1/claims', claimInput({ text: `Retried ${i}` }))).data.id)
  const base = await h.app.listen({ port: 0, host: '127.0.0.1' })
  // A load balancer in front of the server: it forwards each batch, and loses the server's
  // answer to the first one (a 502 in its place), as a proxy that times out upstream would.
  const keys: string[] = []
  const proxy = createHttpServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      keys.push(String(req.headers['idempotency-key']))
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== 'host' && name !== 'content-length')) as Record<string, string>
      fetch(base + (req.url ?? ''), { method: req.method, headers, body: Buffer.concat(chunks) }).then(async (upstream) => {
        const body = await upstream.text()
        if (keys.length === 1) return res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway')
        res.writeHead(upstream.status, Object.fromEntries(upstream.headers)).end(body)
      }, () => res.writeHead(500).end())
    })
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => proxy.close(resolve)))
  const file = join(h.dir, 'lost.csv')
  writeFileSync(file, ['claimId,verdict,note', ...ids.map((id) => `${id},unverified,Reopened`)].join('\n') + '\n')

  const run = await review(h, `http://127.0.0.1:${(proxy.address() as { port: number }).port}`, file)
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, /retrying in \d+ ms \(HTTP 502\)/)
  t.equal(keys.length, 2, 'sent twice')
  t.equal(keys[0], keys[1], 'under one Idempotency-Key')
  t.match(keys[0], /^review-[0-9a-f]{48}$/)
  t.match(run.stdout, '3 rows: applied 3, applied before 0', 'the replay of its own lost answer counts as applied by this run')
  for (const id of ids) t.equal(reviewCount(h, id), 1, 'each row applied once')
})

t.test('a file in another shape or encoding, and a --url that is not Claimledger, stop the run in one line', async (t) => {
  const h = await harness(t)
  const id = (await h.as('editor')('POST', '/v1/claims', claimInput())).data.id
  const base = await h.app.listen({ port: 0, host: '127.0.0.1' })

  // Saved by a spreadsheet as Windows-1252: "é" is the single byte 0xE9.
  const latin = join(h.dir, 'latin.csv')
  writeFileSync(latin, Buffer.concat([Buffer.from(`claimId,verdict,note\n${id},unverified,Premi`), Buffer.from([0xe8]), Buffer.from('re note\n')]))
  const encoded = await review(h, base, latin)
  t.equal(encoded.code, 2)
  t.equal(encoded.stderr, `claimledger: ${latin} is not UTF-8 text (line 2): save it as UTF-8 (in a spreadsheet, "CSV UTF-8") and run again\n`)
  const json = join(h.dir, 'latin.ndjson')
  writeFileSync(json, Buffer.concat([Buffer.from(`{"claimId":"${id}","verdict":"unverified","note":"ok"}\n{"note":"`), Buffer.from([0xff, 0x22, 0x7d])]))
  t.match((await review(h, base, json)).stderr, 'is not UTF-8 text (line 2)', 'the last line, without a newline')

  // Semicolons, as some locales save CSV: one column named "claimId;verdict;note".
  const semicolons = join(h.dir, 'semicolons.csv')
  writeFileSync(semicolons, `claimId;verdict;note\n${id};unverified;Reopened\n`)
  const shaped = await review(h, base, semicolons)
  t.equal(shaped.code, 2)
  t.match(shaped.stderr, /^claimledger: \S+ has no claimId or verdict column; its header reads "claimId;verdict;note"\. The first row names the columns .*separated by commas\n$/)
  t.notOk(existsSync(`${semicolons}.rejected.csv`), 'no report of rows that were never read')

  // A dry run applies the verdict rules too, and lists what it rejects without writing a report
  // (one may already hold the desk's fixes): here over a report being fixed.
  const rules = join(h.dir, 'rules.csv')
  writeFileSync(rules, `claimId,verdict,note\n${id},disputed,No evidence yet\n`)
  const fixing = `${rules}.rejected.csv`
  const other = (await h.as('editor')('POST', '/v1/claims', claimInput({ text: 'Another claim' }))).data.id as string
  const report = `claimId,verdict,note,line,reason\n${id},disputed,No evidence yet,7,An old reason\n${other},Unverified,Fixed by the desk,9,An old reason\n`
  writeFileSync(fixing, report)
  const dry = await review(h, 'http://127.0.0.1:1', rules, '--dry-run')
  t.equal(dry.code, 1)
  t.match(dry.stderr, /^line 2: A disputed verdict needs at least one evidence item/m)
  t.match(dry.stdout, 'a dry run writes no report')
  t.equal(readFileSync(fixing, 'utf8'), report, 'the report being fixed is untouched')
  const dryReport = await review(h, 'http://127.0.0.1:1', fixing, '--dry-run')
  t.match(dryReport.stderr, /^line 7: A disputed verdict needs/m, 'a report\'s rows keep their line in the sheet')
  t.match(dryReport.stdout, '2 rows: would send 1, rejected 1', '"Unverified", as a spreadsheet capitalises it, is read')
  t.equal(readFileSync(fixing, 'utf8'), report)

  // Rows whose cells hold line breaks (Excel writes CRLF rows, LF inside cells) are reported by the line they start on.
  const multiline = join(h.dir, 'multiline.csv')
  writeFileSync(multiline, `claimId,verdict,note\r\n${id},nope,"two\nlines"\r\n\r\n${id},nope,"two\r\nlines"\r\n${id},nope,one\r\n`)
  t.match((await review(h, 'http://127.0.0.1:1', multiline, '--dry-run')).stderr, /^line 2: verdict.*\nline 5: .*\nline 7: /m)

  // --url without a scheme is a mistake told in one line.
  const schemeless = await review(h, '127.0.0.1:3000', rules)
  t.equal(schemeless.code, 2)
  t.equal(schemeless.stderr, 'claimledger: --url must be the API\'s http(s) address, like http://127.0.0.1:3000 (got "127.0.0.1:3000")\n')

  // Something else listening on --url: a 404 page, a 405, a 200 that is not the bulk answer.
  const fine = join(h.dir, 'fine.csv')
  writeFileSync(fine, `claimId,verdict,note\n${id},unverified,Reopened\n`)
  for (const [status, body] of [[404, '<h1>Not Found</h1>'], [405, ''], [200, '{"ok":true}'], [200, '{"results":[]}']] as const) {
    const other = createHttpServer((_req, res) => res.writeHead(status, { 'content-type': 'text/html' }).end(body))
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(other.address() as { port: number }).port}`
    const run = await review(h, url, fine)
    await new Promise((resolve) => other.close(resolve))
    t.equal(run.code, 2, `${status}`)
    t.match(run.stderr, new RegExp(`^claimledger: ${url}/v1/reviews/bulk answered ${status}.* while sending batch 1/1 .*: is --url a Claimledger API\\?\n$`))
    t.notOk(existsSync(`${fine}.rejected.csv`), 'the rows are not blamed for the wrong server')
  }
  t.equal(reviewCount(h, id), 0)
})

t.test('the report guards cells a spreadsheet would run as formulas, and a report fed back loses the guard', async (t) => {
  const h = await harness(t)
  const id = (await h.as('editor')('POST', '/v1/claims', claimInput())).data.id
  const base = await h.app.listen({ port: 0, host: '127.0.0.1' })
  const file = join(h.dir, 'formulas.csv')
  writeFileSync(file, `claimId,verdict,note\n${id},reopen,"=HYPERLINK(""https://example.com"",""see"") says otherwise"\n`)
  t.equal((await review(h, base, file)).code, 1)
  const report = readFileSync(`${file}.rejected.csv`, 'utf8')
  t.match(report, `${id},reopen,"'=HYPERLINK(""https://example.com"",""see"") says otherwise",2,`, 'the note cannot run in a spreadsheet')
  writeFileSync(`${file}.rejected.csv`, report.replace(',reopen,', ',unverified,'))
  const fixed = await review(h, base, `${file}.rejected.csv`)
  t.equal(fixed.code, 0, fixed.stderr)
  t.equal((h.database.sqlite.prepare('SELECT note FROM reviews WHERE claim_id = ?').get(id) as { note: string }).note,
    '=HYPERLINK("https://example.com","see") says otherwise', 'the note as the desk wrote it')
})
