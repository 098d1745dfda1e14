/**
 * The Swagger UI in a real browser (Debian's Chromium, headless): open /docs, authorize with
 * a key, "Try it out" on GET /v1/claims, and see a 200 with the seeded claims. Skipped with a
 * message when Chromium is absent on a developer's machine; CI installs it and never skips.
 */
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import t from 'tap'
import { loadSeeds } from '../src/seed.js'
import { harness } from './helpers.js'

const CHROMIUM = '/usr/bin/chromium'
t.setTimeout(120_000)

const skip = !existsSync(CHROMIUM) && process.env.CI === undefined
  ? `no ${CHROMIUM}: install Debian's chromium (apt-get install chromium) to run the browser test`
  : false

t.test('Swagger UI: authorize, try GET /v1/claims, see the seeded claims', { skip }, async (t) => {
  const { app, keys } = await harness(t)
  loadSeeds(app.stores)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync']
  })
  t.teardown(async () => { await browser.close() })
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()) })

  await page.goto(`${base}/docs/`)
  await page.getByRole('button', { name: 'Authorize' }).first().click()
  await page.locator('.modal-ux input[type=text], .modal-ux input[type=password]').first().fill(keys.viewer)
  await page.locator('.modal-ux button.modal-btn.auth.authorize').click()
  await page.locator('.modal-ux button.btn-done').click()

  const operation = page.locator('#operations-Claims-get_v1_claims')
  await operation.locator('.opblock-summary').click()
  // tryItOutEnabled: the operation opens ready to run, so "Try it out" is already on.
  await operation.locator('button.execute').click()
  const status = operation.locator('.live-responses-table tbody .response-col_status').first()
  await status.waitFor({ timeout: 15_000 })
  t.equal((await status.innerText()).trim(), '200')
  const body = await operation.locator('.live-responses-table tbody .response-col_description pre').first().innerText()
  t.match(body, /Pashinyan/, 'the seeded claims are in the response')
  t.same(errors.filter((e) => /Content Security Policy|Refused/.test(e)), [], 'no CSP violations')
})
