// What the end-to-end journeys share: the BFF with its simulator on one origin, a merchant's shop (the
// demo shop page, strict CSP) on another, one Chromium, a journey per browser context, and the steps a
// customer takes (pay, the LinkAja page, a decision there).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { loadCatalog } from '../../bff/orders/sources.ts';
import { startTestBff, type TestBff, type TestBffOptions } from '../helpers/bff.ts';
import { launchChromium, openJourney, type Journey } from './browser.ts';
import { listenShop, serveShop, type ShopServer } from './shop-server.ts';

const BUNDLE = fileURLToPath(new URL('../../dist/linkaja-pay.js', import.meta.url));
export const SHOTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));
/** From the customer's last click on LinkAja to the element's verdict on the shop page. */
export const RESULT_WITHIN_MS = 5000;

export interface JourneyEnv {
  bff: TestBff;
  shop: ShopServer;
  browser: Browser;
  journeys: Journey[];
}

/** The shop on its own origin, allowed by a BFF that reconciles as `npm start` does (expiries are learnt so). */
export async function startJourneyEnv(bffOptions: TestBffOptions = {}): Promise<JourneyEnv> {
  if (!existsSync(BUNDLE)) {
    throw new Error(
      `dist/linkaja-pay.js is missing: run \`npm run build\` first (\`npm test\` builds before the e2e suite).`,
    );
  }
  mkdirSync(SHOTS, { recursive: true });
  const listening = await listenShop();
  const bff = await startTestBff({
    ...bffOptions,
    env: { ALLOWED_ORIGINS: listening.origin, ...bffOptions.env },
    reconcile: { start: true },
  });
  const shop = serveShop(listening, { catalog: await loadCatalog(bff.config.catalogFile), bffConfig: bff.config });
  return { bff, shop, browser: await launchChromium(), journeys: [] };
}

export async function stopJourneyEnv(env: JourneyEnv | undefined): Promise<void> {
  await Promise.allSettled(env?.journeys.map((j) => j.context.close()) ?? []);
  await env?.browser.close();
  await env?.shop.close();
  await env?.bff.close();
}

/** A journey in its own browser context (fresh storage), closed with the environment. */
export async function journey(env: JourneyEnv, options?: BrowserContextOptions): Promise<Journey> {
  const j = await openJourney(env.browser, options);
  env.journeys.push(j);
  return j;
}

export const payButton = (page: Page): Locator => page.locator('linkaja-pay').getByRole('button');
export const checkout = (page: Page): Locator => page.locator('.checkout');
export const shot = (target: Page | Locator, name: string) => target.screenshot({ path: `${SHOTS}${name}.png` });

/** On the shop, press (or tap) the element's button and arrive on the simulator's LinkAja page. */
export async function goToLinkAja(
  j: Journey,
  bff: TestBff,
  press: (button: Locator) => Promise<void> = (b) => b.click(),
): Promise<{ invoice: string; amount: number }> {
  const createdBefore = j.events.filter((e) => e.type === 'linkaja-pay:created').length;
  await press(payButton(j.page));
  await j.page.waitForURL(`${bff.url}/simulator/**`);
  const created = j.events.filter((e) => e.type === 'linkaja-pay:created')[createdBefore];
  assert.ok(created, 'linkaja-pay:created fired before the redirect');
  return { invoice: String(created.detail.invoice_number), amount: Number(created.detail.amount) };
}

/** The simulator's LinkAja page shows this invoice and exactly the amount the BFF priced. */
export async function assertLinkAjaPage(page: Page, invoice: string, rupiah: string): Promise<void> {
  assert.equal((await page.getByTestId('linkaja-invoice').textContent())?.trim(), invoice);
  // The page may print a no-break space between `Rp` and the number.
  assert.equal((await page.getByTestId('linkaja-amount').textContent())?.replace(/\s+/g, ' ').trim(), rupiah);
}

export type LinkAjaDecision = 'Bayar' | 'Batalkan' | 'Biarkan kedaluwarsa';

/** Decides on the LinkAja page and waits to be back on the shop; returns when the decision was made. */
export async function decideOnLinkAja(
  j: Journey,
  shop: ShopServer,
  name: LinkAjaDecision,
  press: (button: Locator) => Promise<void> = (b) => b.click(),
): Promise<number> {
  await press(j.page.getByRole('button', { name, exact: true }));
  const decided = Date.now();
  await j.page.waitForURL(`${shop.origin}/**`);
  return decided;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations on the page (evaluated through the devtools protocol, so the CSP is not loosened). */
export async function axeViolations(page: Page): Promise<string[]> {
  const found = await page.evaluate<string[]>(`${AXE_SOURCE};
    axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => v.id + ': ' + v.help + ' (' + v.nodes.map((n) => n.target.join(' ')).join(', ') + ')'))`);
  return found;
}

/** The last pageshow was a restore from the back/forward cache (no reload). */
export const restoredFromCache = (j: Journey): boolean => j.pageShows.at(-1)?.persisted === true;

/**
 * A test around one journey (`open` makes it). A failure keeps a screenshot and says what the browser
 * complained about (a CSP block often shows up first as a missing navigation); success also needs a
 * journey with no console errors, page errors or CSP violations anywhere along the way.
 */
export function journeyTest(name: string, open: () => Promise<Journey>, fn: (j: Journey) => Promise<void>): void {
  test(name, { timeout: 30_000 }, async () => {
    const j = await open();
    try {
      await fn(j);
    } catch (err) {
      await j.page
        .screenshot({ path: `${SHOTS}failed-${name.split(':')[0].replace(/\W+/g, '-')}.png` })
        .catch(() => {});
      if (err instanceof Error && j.problems.length) {
        const problems = `\nBrowser problems:\n  ${j.problems.join('\n  ')}`;
        err.message += problems;
        err.stack = `${err.stack ?? ''}${problems}`; // node:test prints the stack, written before this
      }
      throw err;
    }
    assert.deepEqual(j.problems, [], 'no console errors, page errors or CSP violations');
  });
}
