// Browser side of the end-to-end test: Debian's chromium through playwright-core, and a page that
// records, across every navigation of a journey, the element's events, console errors, page errors
// and CSP violations (a binding survives navigations; an init script runs in every new document).
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** playwright turns the back/forward cache off by default; the journeys need it on, as for customers. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
    timeout: 15_000,
  });

export interface ElementEvent {
  type: string;
  detail: Record<string, unknown>;
  url: string;
}

export interface PageShow {
  persisted: boolean;
  url: string;
}

/** A page with everything a journey must check afterwards. */
export interface Journey {
  context: BrowserContext;
  page: Page;
  events: ElementEvent[];
  /** console errors, uncaught page errors and CSP violations, as readable lines. */
  problems: string[];
  pageShows: PageShow[];
}

const ELEMENT_EVENTS = ['created', 'redirect', 'status', 'success', 'failure', 'error'].map((e) => `linkaja-pay:${e}`);

// Runs in every document before its own scripts. Strings only: it crosses into the page as source.
const RECORDER = `(() => {
  for (const type of ${JSON.stringify(ELEMENT_EVENTS)}) {
    document.addEventListener(type, (e) => {
      let detail = {};
      try { detail = JSON.parse(JSON.stringify(e.detail, (k, v) => (v instanceof Node ? '[node]' : v))); } catch {}
      window.__e2eEvent(type, detail, location.href);
    });
  }
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__e2eProblem('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' on ' + location.href);
  });
  addEventListener('pageshow', (e) => window.__e2ePageShow(e.persisted, location.href));
})();`;

/** A journey in a new browser context: a desktop window unless `options` say otherwise (a phone, say). */
export async function openJourney(browser: Browser, options: BrowserContextOptions = {}): Promise<Journey> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 }, locale: 'id-ID', ...options });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(10_000);
  const journey: Journey = { context, page: undefined as unknown as Page, events: [], problems: [], pageShows: [] };
  await context.exposeBinding('__e2eEvent', (_src, type: string, detail: Record<string, unknown>, url: string) => {
    journey.events.push({ type, detail, url });
  });
  await context.exposeBinding('__e2eProblem', (_src, line: string) => void journey.problems.push(line));
  await context.exposeBinding(
    '__e2ePageShow',
    (_src, persisted: boolean, url: string) => void journey.pageShows.push({ persisted, url }),
  );
  await context.addInitScript(RECORDER);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') journey.problems.push(`console error: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (err) => journey.problems.push(`page error: ${err.message}`));
  journey.page = page;
  return journey;
}

/** Wait (bounded) until the journey has seen an element event matching `predicate`; return it. */
export async function waitForEvent(
  journey: Journey,
  type: string,
  predicate: (e: ElementEvent) => boolean = () => true,
  timeoutMs = 8000,
): Promise<ElementEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = journey.events.find((e) => e.type === type && predicate(e));
    if (found) return found;
    if (Date.now() > deadline) {
      const seen = journey.events
        .map((e) => `${e.type}${typeof e.detail.status === 'string' ? `(${e.detail.status})` : ''}`)
        .join(', ');
      throw new Error(
        `No ${type} event within ${timeoutMs} ms. Seen: [${seen}]. Problems: [${journey.problems.join(' | ')}]`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
