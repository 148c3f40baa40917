// What an element keeps in sessionStorage across the trip to LinkAja: the payment it sent the customer
// to pay, and the Idempotency-Key of its current cart attempt. Keyed by BFF, page path and the element's
// identity, so two elements on one page, or the same element on two pages of one site, never clash.
import type { Invoice } from './payment-state.ts';

/** The invoice as the state knows it, and what following it takes. */
export interface PendingPayment extends Invoice {
  /** The status token, or the return ticket of a payment found through the return URL. */
  status_token: string;
  bff: string;
  /** The page it was kept for (location.pathname). */
  path?: string;
  /** Found through the return URL, not made here: if the BFF does not know it, say nothing. */
  returned?: boolean;
}

const PREFIX = 'linkaja-pay:';
const ATTEMPT_PREFIX = 'linkaja-pay-attempt:';

/** A short, stable key: an order token can be kilobytes long, the key does not need to be. */
export function hash(text: string): string {
  let h = 5381;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 33) ^ text.charCodeAt(i)) >>> 0;
  return h.toString(36);
}

export const pendingKey = (bff: string, path: string, identity: string): string =>
  PREFIX + hash(`${bff}\n${path}\n${identity}`);

/** Storage may be disabled or full: then nothing is kept, and the payment still works. */
function safely<T>(use: () => T): T | undefined {
  try {
    return use();
  } catch {
    return undefined;
  }
}

const read = <T>(key: string): T | undefined =>
  safely(() => JSON.parse(sessionStorage.getItem(key) ?? 'null') as T | null) ?? undefined;
const write = (key: string, value: unknown) => safely(() => sessionStorage.setItem(key, JSON.stringify(value)));
const remove = (key: string) => safely(() => sessionStorage.removeItem(key));

const isPending = (p: PendingPayment | undefined): p is PendingPayment =>
  !!p && typeof p.invoice_number === 'string' && typeof p.status_token === 'string';

export function readPending(key: string): PendingPayment | undefined {
  const p = read<PendingPayment>(key);
  return isPending(p) ? p : undefined;
}

export const writePending = (key: string, p: PendingPayment): void => write(key, p);

/** Forgets the payment and the cart attempt behind it. */
export function clearPending(key: string): void {
  remove(key);
  remove(ATTEMPT_PREFIX + key);
}

/** Whether an element of this page keeps `invoice`: that element picks it up itself. */
export const keptOnPage = (invoice: string, path: string): boolean =>
  !!safely(() =>
    Object.keys(sessionStorage).some((key) => {
      const p = readPending(key);
      return p?.invoice_number === invoice && p.path === path;
    }),
  );

/**
 * The Idempotency-Key for sending `body` from the element kept under `key`: the same while the body is
 * the same (a retry after a lost answer, a reload), a new one for another cart. Random, from
 * getRandomValues (randomUUID needs a secure context), in the characters the BFF takes.
 */
export function attemptKey(key: string, body: string): string {
  const body_hash = hash(body);
  const kept = read<{ key: string; body_hash: string }>(ATTEMPT_PREFIX + key);
  if (kept?.body_hash === body_hash && typeof kept.key === 'string') return kept.key;
  const fresh = crypto.getRandomValues(new Uint32Array(4)).join('-'); // 128 random bits
  write(ATTEMPT_PREFIX + key, { key: fresh, body_hash });
  return fresh;
}

/** Ends the cart attempt: the next payment gets a new key. */
export const clearAttempt = (key: string): void => remove(ATTEMPT_PREFIX + key);
