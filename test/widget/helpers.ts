// Shared by the widget tests: the real BFF's URL (from web-test-runner.config.mjs) and small drivers.
import { fixture, html, oneEvent } from '@open-wc/testing';
import type { CreatePaymentResponse } from '../../shared/api.ts';
import '../../widget/index.ts';
import type { LinkajaPay } from '../../widget/linkaja-pay.ts';

export const BFF: string = (window as unknown as { __LINKAJA_BFF__: string }).__LINKAJA_BFF__;
/** A second real BFF whose event streams end after 1 s, as the real one's do after 30 min. */
export const SHORT_STREAM_BFF: string = (window as unknown as { __LINKAJA_SHORT_STREAM_BFF__: string })
  .__LINKAJA_SHORT_STREAM_BFF__;

/** Real BFFs that refuse every event stream, by the status they answer it with (503 full, 429 this address). */
export const REFUSING_BFFS: Record<'503' | '429', string> = (
  window as unknown as { __LINKAJA_REFUSING_BFFS__: Record<'503' | '429', string> }
).__LINKAJA_REFUSING_BFFS__;

export type Decision = 'pay' | 'cancel' | 'expire';

export const buttonOf = (el: LinkajaPay): HTMLButtonElement => el.shadowRoot!.querySelector('button')!;
export const partText = (el: LinkajaPay, part: string): string =>
  (el.shadowRoot!.querySelector(`[part="${part}"]`) as HTMLElement).hidden
    ? ''
    : el.shadowRoot!.querySelector(`[part="${part}"]`)!.textContent.trim();

export async function mount(attrs: Record<string, string>): Promise<LinkajaPay> {
  const el = document.createElement('linkaja-pay');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  const wrapper = await fixture<HTMLDivElement>(html`<div></div>`);
  wrapper.append(el);
  await el.updateComplete;
  return el;
}

/** Click pay and stop at the redirect (canceled, so the test page stays): what the BFF created and the form. */
export async function payUntilRedirect(el: LinkajaPay) {
  const created = oneEvent(el, 'linkaja-pay:created');
  const redirect = new Promise<
    CustomEvent<{ invoice_number: string; redirect: CreatePaymentResponse['redirect']; form: HTMLFormElement }>
  >((resolve) =>
    el.addEventListener('linkaja-pay:redirect', (e) => (e.preventDefault(), resolve(e as CustomEvent)), { once: true }),
  );
  buttonOf(el).click();
  return { created: await created, redirect: await redirect };
}

export const messageOf = (redirect: CreatePaymentResponse['redirect']): string =>
  redirect.parameters.find((p) => p.name === 'Message')!.value;

/**
 * What the customer does on the simulator's LinkAja page: its own form POST. The simulator notifies the
 * BFF before it answers 303; that answer is cross-origin without CORS, so fetch cannot read it and
 * rejects. The decision itself is checked by what the element then shows.
 */
export async function decide(message: string, decision: Decision, bff = BFF): Promise<void> {
  await fetch(`${bff}/simulator/linkaja/decide`, {
    method: 'POST',
    body: new URLSearchParams({ Message: message, decision }),
    redirect: 'manual',
  }).catch(() => undefined);
}

/** Creates a payment straight through the API (as an earlier page load would have). */
export async function createPaymentDirect(sku: string, quantity = 1): Promise<CreatePaymentResponse> {
  const res = await fetch(`${BFF}/api/payments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ items: [{ sku, quantity }], return_url: location.href }),
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Resolves with the first event of `name` whose detail matches, rejects after `ms`. */
export function eventWithin<T = unknown>(
  el: EventTarget,
  name: string,
  ms = 8000,
  match: (d: T) => boolean = () => true,
): Promise<CustomEvent<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} within ${ms} ms`)), ms);
    const on = (e: Event) => {
      if (!match((e as CustomEvent<T>).detail)) return;
      clearTimeout(timer);
      el.removeEventListener(name, on);
      resolve(e as CustomEvent<T>);
    };
    el.addEventListener(name, on);
  });
}

export const pendingKeys = (): string[] => Object.keys(sessionStorage).filter((k) => k.startsWith('linkaja-pay:'));

/** An HS256 order token, signed here as the merchant's backend would sign it. */
export async function signOrderToken(
  items: Array<{ name: string; price: number; quantity: number }>,
  ttlSeconds = 600,
  /** More claims: the merchant's `ref`, `metadata`. */
  claims: Record<string, unknown> = {},
): Promise<string> {
  const secret = (window as unknown as { __ORDER_TOKEN_SECRET__: string }).__ORDER_TOKEN_SECRET__;
  const b64url = (bytes: Uint8Array) =>
    btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  const part = (o: unknown) => b64url(new TextEncoder().encode(JSON.stringify(o)));
  const iat = Math.floor(Date.now() / 1000);
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ items, ...claims, iat, exp: iat + ttlSeconds })}`;
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(input)));
  return `${input}.${b64url(sig)}`;
}

/** Makes EventSource unavailable while `run` runs, so the element has to poll. */
export async function withoutEventSource<T>(run: () => Promise<T>): Promise<T> {
  const saved = window.EventSource;
  // @ts-expect-error: a browser without server-sent events
  delete window.EventSource;
  try {
    return await run();
  } finally {
    window.EventSource = saved;
  }
}

/** The browser's own EventSource, only watched: `run` gets every one the page opens meanwhile. */
export async function watchingEventSources<T>(run: (sources: EventSource[]) => Promise<T>): Promise<T> {
  const Real = window.EventSource;
  const sources: EventSource[] = [];
  window.EventSource = class extends Real {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      sources.push(this);
    }
  };
  try {
    return await run(sources);
  } finally {
    window.EventSource = Real;
  }
}

export interface FetchCall {
  url: string;
  method: string;
  init?: RequestInit;
  /** The real request. */
  send(): Promise<Response>;
}

/** Puts `handle` between a window's code and the network while `run` runs (the BFF stays real). */
export async function throughFetch<T>(
  handle: (call: FetchCall) => Promise<Response>,
  run: () => Promise<T>,
  win: Window = window,
): Promise<T> {
  const saved = win.fetch;
  win.fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    return handle({
      url,
      method: (init?.method ?? 'GET').toUpperCase(),
      init,
      send: () => saved.call(win, input, init),
    });
  };
  try {
    return await run();
  } finally {
    try {
      win.fetch = saved;
    } catch {
      /* the window has gone to another origin: nothing of ours is left in it */
    }
  }
}

/** A GET of one payment's status (the polling route, not its event stream). */
export const isStatusRead = (c: FetchCall): boolean =>
  c.method === 'GET' && c.url.startsWith(`${BFF}/api/payments/`) && !c.url.includes('/events');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
