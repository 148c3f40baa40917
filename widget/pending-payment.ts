// The payment a customer left this page to pay, kept in sessionStorage across the LinkAja redirect.
// Keyed by BFF, page path and the element's identity, so two elements on one page, or the same
// element on two pages of one site, never clash.

export interface PendingPayment {
  invoice: string;
  status_token: string;
  bff: string;
  amount: number;
}

const PREFIX = 'linkaja-pay:';

/** A short, stable key: an order token can be kilobytes long, the key does not need to be. */
function hash(text: string): string {
  let h = 5381;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 33) ^ text.charCodeAt(i)) >>> 0;
  return h.toString(36);
}

export const pendingKey = (bff: string, path: string, identity: string): string =>
  PREFIX + hash(`${bff}\n${path}\n${identity}`);

export function readPending(key: string): PendingPayment | undefined {
  try {
    const p = JSON.parse(sessionStorage.getItem(key) ?? 'null') as PendingPayment | null;
    return p && typeof p.invoice === 'string' && typeof p.status_token === 'string' ? p : undefined;
  } catch {
    return undefined; // storage disabled or a corrupt record: nothing to resume
  }
}

export function writePending(key: string, p: PendingPayment): void {
  try {
    sessionStorage.setItem(key, JSON.stringify(p));
  } catch {
    // Storage full or disabled: the payment still works, only the return cannot resume it.
  }
}

export function clearPending(key: string): void {
  try {
    sessionStorage.removeItem(key);
  } catch {
    /* nothing stored, nothing to clear */
  }
}
