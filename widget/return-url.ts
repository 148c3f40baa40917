// The payment named by the return URL: DOKU sends the customer back to the merchant's page with
// linkaja_invoice and linkaja_token (a read-only return ticket) added, so the payment is found in any tab
// or browser, with no sessionStorage. Read once and removed from the address bar at once (a ticket has no
// business in history, bookmarks or a shared link); then exactly one element of the page follows it.
import { keptOnPage } from './pending-payment.ts';

export interface ReturnedPayment {
  invoice: string;
  token: string;
}

/** An element that may follow the returned payment: `take` it if `free` (following nothing yet). */
export interface Claimant {
  free(): boolean;
  take(payment: ReturnedPayment): void;
}

let claimants: Claimant[] | undefined;

/**
 * Called by every element as it connects. The first call reads the address bar and strips it; one task
 * later, when the page's elements have connected (in document order), the payment goes to the first free
 * one, unless an element of this page keeps it in sessionStorage (that one resumes it on its own, whenever
 * it connects). Anything malformed (overlong, markup) is removed and ignored.
 */
export function offerReturn(claimant: Claimant): void {
  if (claimants) return void claimants.push(claimant);
  const url = new URL(location.href);
  const query = url.searchParams;
  const invoice = query.get('linkaja_invoice') ?? '';
  const token = query.get('linkaja_token') ?? '';
  if (!query.has('linkaja_invoice') && !query.has('linkaja_token')) return;
  query.delete('linkaja_invoice');
  query.delete('linkaja_token');
  try {
    history.replaceState(history.state, '', url);
  } catch {
    /* a sandboxed page: the parameters stay, nothing else changes */
  }
  // What the BFF makes (INV-…, base64url tokens), with room to spare; anything else is not ours.
  if (!/^[\w.:-]{1,64}$/.test(invoice) || !/^[\w.~-]{16,512}$/.test(token)) return;
  const offered = (claimants = [claimant]);
  setTimeout(() => {
    claimants = undefined;
    if (!keptOnPage(invoice, location.pathname)) offered.find((c) => c.free())?.take({ invoice, token });
  });
}
