/**
 * The Swagger UI in a real browser (Debian's Chromium, headless): open /docs, authorize with
 * a key, and "Try it out" as a newcomer would, executing what the UI generates. Skipped with a
 * message when Chromium is absent on a developer's machine; CI installs it and never skips.
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { loadSeeds } from '../src/seed.js'
import { SEEDED } from '../src/seeded.js'
import { harness } from './helpers.js'

const CHROMIUM = '/usr/bin/chromium'
t.setTimeout(180_000)

const skip = !existsSync(CHROMIUM) && process.env.CI === undefined
  ? `no ${CHROMIUM}: install Debian's chromium (apt-get install chromium) to run the browser test`
  : false

let browser: Browser | undefined
t.teardown(async () => { await browser?.close() })

/** The Swagger UI of a freshly seeded server, authorized with `role`'s key; `errors` collects the console's. */
async function docsAs (t: Test, role: 'viewer' | 'editor'): Promise<{ page: Page, errors: string[] }> {
  const { app, keys } = await harness(t)
  await loadSeeds(app.services)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync']
  })
  const page = await browser.newPage()
  t.teardown(async () => { await page.close() })
  const errors: string[] = []
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()) })

  await page.goto(`${base}/docs/`)
  await page.getByRole('button', { name: 'Authorize' }).first().click()
  await page.locator('.modal-ux input[type=text], .modal-ux input[type=password]').first().fill(keys[role])
  await page.locator('.modal-ux button.modal-btn.auth.authorize').click()
  await page.locator('.modal-ux button.btn-done').click()
  return { page, errors }
}

/** Opens an operation and presses Execute with whatever the UI prefilled; its answer's status and body. */
async function execute (page: Page, operationId: string): Promise<{ status: string, body: string }> {
  const operation = page.locator(`#${operationId}`)
  await operation.locator('.opblock-summary').click()
  // tryItOutEnabled: the operation opens ready to run, so "Try it out" is already on.
  await operation.locator('button.execute').click()
  const status = operation.locator('.live-responses-table tbody .response-col_status').first()
  await status.waitFor({ timeout: 15_000 })
  const body = await operation.locator('.live-responses-table tbody .response-col_description pre').first().innerText()
  return { status: (await status.innerText()).trim(), body }
}

t.test('Swagger UI: authorize, try GET /v1/claims, see the seeded claims', { skip }, async (t) => {
  const { page, errors } = await docsAs(t, 'viewer')
  const { status, body } = await execute(page, 'operations-Claims-get_v1_claims')
  t.equal(status, '200')
  t.match(body, /Pashinyan/, 'the seeded claims are in the response')
  t.same(errors.filter((e) => /Content Security Policy|Refused/.test(e)), [], 'no CSP violations')
})

t.test('Swagger UI: the generated examples of the main writes succeed as they are', { skip }, async (t) => {
  const { page } = await docsAs(t, 'editor')

  const created = await execute(page, 'operations-Claims-post_v1_claims')
  t.equal(created.status, '201', `POST /v1/claims: ${created.body}`)
  t.match(JSON.parse(created.body), { speakerId: SEEDED.speakers.aliyev, sourceId: SEEDED.source.mailOnline, status: 'unverified' },
    'the example names the seeded speaker and source')

  const reviewed = await execute(page, 'operations-Reviews-post_v1_claims__id__reviews')
  t.equal(reviewed.status, '201', `POST /v1/claims/{id}/reviews: ${reviewed.body}`)
  t.match(JSON.parse(reviewed.body), { claim: { id: SEEDED.claims.capturedGround, status: 'corroborated' } })

  const bulk = await execute(page, 'operations-Reviews-post_v1_reviews_bulk')
  t.equal(bulk.status, '200', `POST /v1/reviews/bulk: ${bulk.body}`)
  t.match(JSON.parse(bulk.body), { applied: 2 })
})
