// Where the customer's browser returns after paying: only ever to an origin the merchant allowed.
import { OrderError } from './errors.ts';

export interface ReturnUrlPolicy {
  allowedOrigins: readonly string[];
  /** The BFF's own public URL (no trailing slash): the return URL when nothing better is known. */
  publicUrl: string;
}

/** The requested URL if its origin is allowed; else the calling page's origin if allowed; else the BFF's own. */
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
    return url.href;
  }
  return origin && policy.allowedOrigins.includes(origin) ? `${origin}/` : `${policy.publicUrl}/`;
}
