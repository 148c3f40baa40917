// Where the customer's browser returns after paying: only ever to an origin the merchant allowed,
// carrying the payment it comes back from and a read-only ticket for its status.
import { RETURN_INVOICE_PARAM, RETURN_TOKEN_PARAM } from '../../shared/api.ts';
import { OrderError } from './errors.ts';

export interface ReturnUrlPolicy {
  allowedOrigins: readonly string[];
  /** The BFF's own public URL (no trailing slash): the return URL when nothing better is known. */
  publicUrl: string;
}

const OURS = new Set<string>([RETURN_INVOICE_PARAM, RETURN_TOKEN_PARAM]);

function isOurs(pair: string): boolean {
  try {
    return OURS.has(decodeURIComponent(pair.split('=')[0].replace(/\+/g, ' ')));
  } catch {
    return false; // a malformed escape is the merchant's business, and not a name of ours
  }
}

/** Rewrites only the query pairs named ours; the merchant's own pairs keep their exact bytes. */
function withoutOurParams(url: URL): URL {
  const pairs = url.search.slice(1).split('&');
  const kept = pairs.filter((pair) => !isOurs(pair));
  if (kept.length !== pairs.length) url.search = kept.join('&');
  return url;
}

/**
 * The requested URL if its origin is allowed; else the calling page's origin if allowed; else the
 * BFF's own. Parameters of an earlier return (a page reloaded after coming back) are dropped: an old
 * ticket must never travel to DOKU again.
 */
export function returnUrlFor(
  policy: ReturnUrlPolicy,
  requested: string | undefined,
  origin: string | undefined,
): string {
  if (requested !== undefined) {
    const url = new URL(requested);
    if (!policy.allowedOrigins.includes(url.origin)) {
      throw new OrderError(
        'return_url_not_allowed',
        `return_url must be on an allowed origin (${url.origin} is not in ALLOWED_ORIGINS).`,
      );
    }
    return withoutOurParams(url).href;
  }
  return origin && policy.allowedOrigins.includes(origin) ? `${origin}/` : `${policy.publicUrl}/`;
}

/** DOKU's callback_url: the return URL with the invoice and its return ticket added before any `#`. */
export function callbackUrlFor(returnUrl: string, invoiceNumber: string, returnTicket: string): string {
  const url = new URL(returnUrl);
  const ours = new URLSearchParams({ [RETURN_INVOICE_PARAM]: invoiceNumber, [RETURN_TOKEN_PARAM]: returnTicket });
  url.search = url.search ? `${url.search}&${ours.toString()}` : `?${ours.toString()}`;
  return url.href;
}
