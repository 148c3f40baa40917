// Issue #14's journeys in Chromium: a customer on a phone approves in the LinkAja app and comes back in
// another browser (the return URL carries the payment), goes back from LinkAja and taps pay again (the
// same payment, never a second one), or has an expired payment approved late while the page is open.
// The phone journey saves screenshots (test-results/e2e/phone-*.png; docs/screenshots has copies).
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import type { BrowserContextOptions, Locator } from 'playwright-core';
import { sendNotification } from '../helpers/notify.ts';
import { waitForEvent, type Journey } from './browser.ts';
import {
  assertLinkAjaPage,
  axeViolations,
  checkout,
  decideOnLinkAja,
  goToLinkAja,
  journey,
  journeyTest,
  payButton,
  RESULT_WITHIN_MS,
  shot,
  startJourneyEnv,
  stopJourneyEnv,
  type JourneyEnv,
} from './journey-kit.ts';

const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};
const tap = (target: Locator) => target.tap();

let env: JourneyEnv;
/** The same, with a simulator that refuses a payment's LinkAja page a second time (LinkAja might). */
let refusing: JourneyEnv;
before(async () => {
  env = await startJourneyEnv();
  refusing = await startJourneyEnv({ simulator: { redirectReuse: 'refuse' } });
});
after(() => Promise.all([stopJourneyEnv(env), stopJourneyEnv(refusing)]));

const RETURN_PARAMS = ['linkaja_invoice', 'linkaja_token'];
const returnParamsIn = (url: string) => RETURN_PARAMS.filter((p) => new URL(url).searchParams.has(p));
/** How many payments DOKU (the simulator) was asked to create. */
const dokuPayments = (e: JourneyEnv) => e.bff.simulator!.payments().length;

/** The screen as the customer sees it, with the element in view. */
async function phoneShot(j: Journey, name: string): Promise<void> {
  // Chromium's phone emulation reports (hover: hover) on a page restored from the back/forward cache,
  // where the last tap left the pointer on the button; a phone has no hover. Move that pointer away.
  await j.page.mouse.move(0, 0);
  await checkout(j.page).scrollIntoViewIfNeeded();
  await shot(j.page, name);
}

describe(
  'phones and in-app browsers: found on return in any tab, never two payments at once',
  { timeout: 90_000 },
  () => {
    journeyTest(
      'return in another browser: paid in the LinkAja app, the return URL opened in a fresh context shows paid',
      () => journey(env, PHONE),
      async (inApp) => {
        // Started in an in-app browser: to the LinkAja page, and over to the LinkAja app.
        await inApp.page.goto(env.shop.url);
        const { invoice, amount } = await goToLinkAja(inApp, env.bff, tap);
        await env.bff.simulator!.decide(invoice, 'pay');
        // LinkAja sends the customer back to the shop's return URL, which opens in another browser.
        const returnUrl = env.bff.simulator!.payment(invoice)!.request.order.callback_url;
        assert.deepEqual(returnParamsIn(returnUrl), RETURN_PARAMS, returnUrl);
        const browser = await journey(env, PHONE);
        await browser.page.goto(returnUrl);
        const success = await waitForEvent(browser, 'linkaja-pay:success', (e) => e.detail.invoice_number === invoice);
        assert.equal(success.detail.amount, amount);
        await assert.doesNotReject(payButton(browser.page).getByText('Sudah dibayar').waitFor());
        await assert.doesNotReject(browser.page.locator('#result').getByText('Pesanan diterima').waitFor());
        assert.deepEqual(returnParamsIn(browser.page.url()), [], 'the address bar no longer has the parameters');
        const shopUrl = new URL(returnUrl);
        for (const p of RETURN_PARAMS) shopUrl.searchParams.delete(p);
        assert.equal(browser.page.url(), shopUrl.href, "the shop's own address kept");
        await phoneShot(browser, 'phone-return');
        assert.deepEqual(await axeViolations(browser.page), [], 'return page: no accessibility violations');
        assert.deepEqual(browser.problems, []);
      },
    );

    journeyTest(
      'continue payment: back from LinkAja without paying, tap again: the same invoice, one payment at DOKU',
      () => journey(env),
      async (j) => {
        const { page } = j;
        await page.goto(env.shop.url);
        const before = dokuPayments(env);
        const first = await goToLinkAja(j, env.bff);
        await assertLinkAjaPage(page, first.invoice, 'Rp 33.500');
        await page.goBack({ waitUntil: 'commit' });
        await assert.doesNotReject(payButton(page).getByText('Lanjutkan pembayaran').waitFor());
        assert.deepEqual(await axeViolations(page), [], 'continue state: no accessibility violations');
        await payButton(page).click();
        await page.waitForURL(`${env.bff.url}/simulator/**`);
        await assertLinkAjaPage(page, first.invoice, 'Rp 33.500');
        assert.equal(dokuPayments(env) - before, 1, 'DOKU received one create request');
        assert.equal(j.events.filter((e) => e.type === 'linkaja-pay:created').length, 1);
        await decideOnLinkAja(j, env.shop, 'Bayar');
        await waitForEvent(
          j,
          'linkaja-pay:success',
          (e) => e.detail.invoice_number === first.invoice,
          RESULT_WITHIN_MS,
        );
      },
    );

    journeyTest(
      'LinkAja refuses the same payment twice: the element says so, then makes a new payment',
      () => journey(refusing),
      async (j) => {
        const { page } = j;
        await page.goto(refusing.shop.url);
        const first = await goToLinkAja(j, refusing.bff);
        await page.goBack({ waitUntil: 'commit' });
        await payButton(page).getByText('Lanjutkan pembayaran').click();
        // The simulator's page for a used link, and its way back to the shop.
        await page.waitForURL(`${refusing.bff.url}/simulator/**`);
        await assert.doesNotReject(page.getByTestId('linkaja-used').waitFor());
        // That page answers 409, which Chromium logs as a failed load: expected here, and only here.
        const refused = j.problems.findIndex((p) => /status of 409 .*\/simulator\/linkaja\/pay\)$/.test(p));
        assert.ok(refused >= 0, `the refusal: ${j.problems.join(' | ')}`);
        j.problems.splice(refused, 1);
        await page.getByTestId('linkaja-back').click();
        await page.waitForURL(`${refusing.shop.origin}/**`);
        await assert.doesNotReject(
          page.locator('linkaja-pay').getByText('Jika LinkAja tidak dapat membukanya lagi').waitFor(),
          'the customer is told',
        );
        await shot(checkout(page), 'reopen');
        const second = await goToLinkAja(j, refusing.bff);
        assert.notEqual(second.invoice, first.invoice);
        await assertLinkAjaPage(page, second.invoice, 'Rp 33.500');
      },
    );

    journeyTest(
      'late result: an expired payment approved late while its page is open shows paid',
      async () => {
        const j = await journey(env);
        // The page's clock, so the light poll after a failure (every 30 s) can be moved on.
        await j.context.clock.install();
        return j;
      },
      async (j) => {
        const { page } = j;
        await page.goto(env.shop.url);
        const { invoice, amount } = await goToLinkAja(j, env.bff);
        await decideOnLinkAja(j, env.shop, 'Biarkan kedaluwarsa');
        const failure = await waitForEvent(j, 'linkaja-pay:failure', (e) => e.detail.invoice_number === invoice);
        assert.equal(failure.detail.status, 'EXPIRED');
        await assert.doesNotReject(page.locator('linkaja-pay').getByText('Waktu pembayaran habis').waitFor());
        // DOKU took the money after all and says so; the order is SUCCESS now, and nothing streams to the page.
        const notified = await sendNotification(env.bff.url, env.bff.config, { invoice, amount, status: 'SUCCESS' });
        assert.equal(notified.status, 200);
        assert.equal((await env.bff.store.getOrder(invoice))?.status, 'SUCCESS');
        await page.clock.fastForward(31_000);
        await waitForEvent(j, 'linkaja-pay:success', (e) => e.detail.invoice_number === invoice, RESULT_WITHIN_MS);
        await assert.doesNotReject(page.locator('linkaja-pay').getByText('berhasil').waitFor());
        await assert.doesNotReject(page.locator('#result').getByText('Pesanan diterima').waitFor());
      },
    );

    journeyTest(
      'on a phone (390×844, touch): pay, back without paying, continue, pay, paid',
      () => journey(env, PHONE),
      async (j) => {
        const { page } = j;
        await page.goto(env.shop.url);
        await phoneShot(j, 'phone-shop');
        const { invoice } = await goToLinkAja(j, env.bff, tap);
        await assertLinkAjaPage(page, invoice, 'Rp 33.500');
        await shot(page, 'phone-linkaja');
        await page.goBack({ waitUntil: 'commit' });
        await assert.doesNotReject(payButton(page).getByText('Lanjutkan pembayaran').waitFor());
        await phoneShot(j, 'phone-continue');
        await tap(payButton(page));
        await page.waitForURL(`${env.bff.url}/simulator/**`);
        await assertLinkAjaPage(page, invoice, 'Rp 33.500');
        await decideOnLinkAja(j, env.shop, 'Bayar', tap);
        await waitForEvent(j, 'linkaja-pay:success', (e) => e.detail.invoice_number === invoice, RESULT_WITHIN_MS);
        await assert.doesNotReject(payButton(page).getByText('Sudah dibayar').waitFor());
        assert.deepEqual(returnParamsIn(page.url()), []);
        await phoneShot(j, 'phone-paid');
        assert.deepEqual(await axeViolations(page), [], 'paid on a phone: no accessibility violations');
      },
    );
  },
);
