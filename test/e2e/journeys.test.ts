// The whole journey in a real browser: the BFF with its simulator on one origin, a merchant's shop
// page (script tag + element, strict CSP) on another, Debian's chromium driving it. Each journey
// also proves there were no console errors, page errors or CSP violations anywhere along the way.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { waitForEvent } from './browser.ts';
import {
  assertLinkAjaPage,
  axeViolations,
  checkout,
  decideOnLinkAja as decide,
  goToLinkAja as go,
  journey,
  journeyTest as journeyTestIn,
  payButton,
  restoredFromCache,
  RESULT_WITHIN_MS,
  shot,
  startJourneyEnv,
  stopJourneyEnv,
  type JourneyEnv,
  type LinkAjaDecision,
} from './journey-kit.ts';
import type { Journey } from './browser.ts';

let env: JourneyEnv;
before(async () => {
  env = await startJourneyEnv();
});
after(() => stopJourneyEnv(env));

const goToLinkAja = (j: Journey) => go(j, env.bff);
const decideOnLinkAja = (j: Journey, name: LinkAjaDecision) => decide(j, env.shop, name);
const journeyTest = (name: string, fn: (j: Journey) => Promise<void>) => journeyTestIn(name, () => journey(env), fn);

describe(
  'journeys in chromium: shop on another origin under a strict CSP, BFF with the simulator',
  { timeout: 60_000 },
  () => {
    journeyTest(
      'pay: the simulator shows the priced amount, the element resolves SUCCESS within seconds',
      async (j) => {
        const { page } = j;
        await page.goto(env.shop.url);
        await assert.doesNotReject(
          payButton(page).getByText('Bayar dengan LinkAja').waitFor(),
          'idle element renders its button',
        );
        await shot(checkout(page), 'idle');
        assert.deepEqual(await axeViolations(page), [], 'shop page: no accessibility violations');

        // Customer adds a Rendang Sapi: the page hands the element the new cart; the BFF prices it.
        await page.getByRole('button', { name: 'Tambah Rendang Sapi' }).click();
        await assert.doesNotReject(page.locator('#total').getByText('Rp 78.500').waitFor());
        const items = JSON.parse((await page.locator('linkaja-pay').getAttribute('items')) ?? 'null');
        assert.deepEqual(items, [
          { sku: 'nasi-goreng', quantity: 1 },
          { sku: 'rendang', quantity: 1 },
          { sku: 'es-teh-manis', quantity: 1 },
        ]);

        const { invoice, amount } = await goToLinkAja(j);
        assert.equal(amount, 78_500);
        await assertLinkAjaPage(page, invoice, 'Rp 78.500');
        await page.setViewportSize({ width: 420, height: 720 });
        await shot(page, 'linkaja-page');
        await page.setViewportSize({ width: 1000, height: 760 });

        const clicked = await decideOnLinkAja(j, 'Bayar');
        const success = await waitForEvent(
          j,
          'linkaja-pay:success',
          (e) => e.detail.invoice_number === invoice,
          RESULT_WITHIN_MS,
        );
        const elapsed = Date.now() - clicked;
        assert.ok(elapsed < RESULT_WITHIN_MS, `success ${elapsed} ms after Bayar`);
        assert.equal(success.detail.amount, 78_500);
        assert.ok(success.url.startsWith(env.shop.origin), 'success fired on the shop page');
        await assert.doesNotReject(
          page.locator('linkaja-pay').getByText('Rp 78.500 berhasil').waitFor(),
          'element shows the paid state',
        );
        await assert.doesNotReject(
          page.locator('#result').getByText('Pesanan diterima').waitFor(),
          'shop shows the result',
        );
        // The cart came back with the customer (the return URL is the page URL).
        assert.equal(await page.locator('#qty-rendang').inputValue(), '1');
        assert.equal((await env.bff.store.getOrder(invoice))?.status, 'SUCCESS');
        await shot(checkout(page), 'paid');
        assert.deepEqual(await axeViolations(page), [], 'paid page: no accessibility violations');

        // A new order afterwards starts from a clean, idle element.
        await page.getByRole('link', { name: 'Pesan lagi' }).click();
        await assert.doesNotReject(
          payButton(page).getByText('Bayar dengan LinkAja').waitFor(),
          'next order starts idle',
        );
        console.log(`  pay: success ${elapsed} ms after Bayar`);
      },
    );

    journeyTest('cancel: failure event, a message, and paying again starts a NEW payment', async (j) => {
      const { page } = j;
      await page.goto(env.shop.url);
      const first = await goToLinkAja(j);
      await assertLinkAjaPage(page, first.invoice, 'Rp 33.500');
      await decideOnLinkAja(j, 'Batalkan');

      const failure = await waitForEvent(
        j,
        'linkaja-pay:failure',
        (e) => e.detail.invoice_number === first.invoice,
        RESULT_WITHIN_MS,
      );
      assert.equal(failure.detail.status, 'FAILED');
      await assert.doesNotReject(
        page.locator('linkaja-pay').getByText('Pembayaran gagal atau dibatalkan').waitFor(),
        'element says so',
      );
      const again = payButton(page);
      await assert.doesNotReject(again.getByText('Bayar lagi dengan LinkAja').waitFor(), 'a button to pay again');
      await shot(checkout(page), 'failed');
      assert.deepEqual(await axeViolations(page), [], 'failed state: no accessibility violations');

      const second = await goToLinkAja(j);
      assert.notEqual(second.invoice, first.invoice, 'paying again creates a new invoice');
      await assertLinkAjaPage(page, second.invoice, 'Rp 33.500');
      assert.equal((await env.bff.store.getOrder(first.invoice))?.status, 'FAILED');
      assert.equal((await env.bff.store.getOrder(second.invoice))?.status, 'PENDING');
    });

    journeyTest('expire: the element shows the expired state', async (j) => {
      const { page } = j;
      await page.goto(env.shop.url);
      const { invoice } = await goToLinkAja(j);
      await decideOnLinkAja(j, 'Biarkan kedaluwarsa');
      const failure = await waitForEvent(
        j,
        'linkaja-pay:failure',
        (e) => e.detail.invoice_number === invoice,
        RESULT_WITHIN_MS,
      );
      assert.equal(failure.detail.status, 'EXPIRED');
      await assert.doesNotReject(
        page.locator('linkaja-pay').getByText('Waktu pembayaran habis').waitFor(),
        'element shows expired',
      );
      await assert.doesNotReject(page.locator('#result').getByText('waktu pembayaran habis').waitFor());
      await shot(checkout(page), 'expired');
    });

    journeyTest(
      'reload: back on the shop while pending, reloaded, the element still resolves the payment',
      async (j) => {
        const { page } = j;
        await page.goto(env.shop.url);
        const { invoice } = await goToLinkAja(j);
        await page.goBack({ waitUntil: 'commit' });
        await page.reload();
        const reloadedAt = j.pageShows.length;
        assert.ok(reloadedAt > 0);
        await waitForEvent(
          j,
          'linkaja-pay:status',
          (e) => e.detail.invoice_number === invoice && e.detail.status === 'PENDING',
        );
        // The customer pays in the LinkAja app meanwhile: DOKU notifies the BFF, the page learns it live.
        await env.bff.simulator!.decide(invoice, 'pay');
        const success = await waitForEvent(
          j,
          'linkaja-pay:success',
          (e) => e.detail.invoice_number === invoice,
          RESULT_WITHIN_MS,
        );
        assert.ok(success.url.startsWith(env.shop.origin));
        await assert.doesNotReject(page.locator('linkaja-pay').getByText('berhasil').waitFor());
        await shot(checkout(page), 'reload-paid');
      },
    );

    journeyTest('back/forward cache: goBack and goForward keep the payment followed to its result', async (j) => {
      const { page } = j;
      await page.goto(env.shop.url);
      const { invoice } = await goToLinkAja(j);

      // Back from LinkAja without paying: the shop page comes out of the cache and follows the payment.
      await page.goBack({ waitUntil: 'commit' });
      await waitForEvent(
        j,
        'linkaja-pay:status',
        (e) => e.detail.invoice_number === invoice && e.detail.status === 'PENDING',
      );
      assert.ok(restoredFromCache(j), `shop restored from the back/forward cache: ${JSON.stringify(j.pageShows)}`);

      // The customer browses on to another page of the shop and pays in the LinkAja app meanwhile.
      await page.goto(`${env.shop.origin}/about`);
      await env.bff.simulator!.decide(invoice, 'pay');

      // Back: the cached shop page catches up with the payment made meanwhile.
      await page.goBack({ waitUntil: 'commit' });
      const success = await waitForEvent(
        j,
        'linkaja-pay:success',
        (e) => e.detail.invoice_number === invoice,
        RESULT_WITHIN_MS,
      );
      assert.equal(success.url, page.url(), 'success fired on the restored shop page');
      assert.ok(restoredFromCache(j), `second return also from the back/forward cache: ${JSON.stringify(j.pageShows)}`);
      await assert.doesNotReject(page.locator('linkaja-pay').getByText('berhasil').waitFor());
      await shot(checkout(page), 'bfcache-paid');

      // Forward and back once more, both from the cache: the paid state stays, nothing fires twice.
      await page.goForward({ waitUntil: 'commit' });
      assert.equal(page.url(), `${env.shop.origin}/about`);
      await page.goBack({ waitUntil: 'commit' });
      await assert.doesNotReject(payButton(page).getByText('Sudah dibayar').waitFor());
      assert.ok(restoredFromCache(j), `forward and back from the cache: ${JSON.stringify(j.pageShows)}`);
      assert.equal(j.events.filter((e) => e.type === 'linkaja-pay:success').length, 1, 'exactly one success');
    });
  },
);

describe("the demo shop served by the BFF itself (npm start), under helmet's CSP", { timeout: 40_000 }, () => {
  let own: TestBff;
  before(async () => {
    own = await startTestBff(); // ALLOWED_ORIGINS defaults to PUBLIC_URL's origin: the page's own
  });
  after(async () => own?.close());

  journeyTest('same origin: the shop at / pays through its own BFF', async (j) => {
    const { page } = j;
    const res = await page.goto(`${own.url}/`);
    assert.match(res?.headers()['content-security-policy'] ?? '', /script-src 'self'/, 'helmet CSP on the page');
    await assert.doesNotReject(payButton(page).getByText('Bayar dengan LinkAja').waitFor());
    await page.getByRole('button', { name: 'Kurangi Es Teh Manis' }).click();
    const created = j.events.length;
    await payButton(page).click();
    await page.waitForURL(`${own.url}/simulator/**`);
    const invoice = String(
      j.events.slice(created).find((e) => e.type === 'linkaja-pay:created')?.detail.invoice_number,
    );
    await assertLinkAjaPage(page, invoice, 'Rp 27.500');
    await page.getByRole('button', { name: 'Bayar', exact: true }).click();
    await page.waitForURL(`${own.url}/?**`);
    await waitForEvent(j, 'linkaja-pay:success', (e) => e.detail.invoice_number === invoice, RESULT_WITHIN_MS);
    await assert.doesNotReject(page.locator('#result').getByText('Pesanan diterima').waitFor());
    await shot(page, 'demo-same-origin');
  });
});
