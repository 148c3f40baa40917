// The widget's two calls to the BFF. Only TYPES come from shared/api.ts: zod stays out of the bundle.
import type { CreatePaymentRequest, CreatePaymentResponse, ErrorBody, PaymentStatusResponse } from '../shared/api.ts';

/** A failed call: the BFF's own {code, message}, or `network_error` / `bad_response` from here. */
export class BffError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

/** The BFF base URL without a trailing slash ('' means the page's own origin). */
export const normaliseBff = (bff: string): string => bff.trim().replace(/\/+$/, '');

/** A call that has not answered by then never will: a hung read would otherwise stop the polling. */
const TIMEOUT_MS = 20_000;

async function call<T>(url: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    // The timeout covers the body too: a stalled body ends as bad_response below.
    res = await fetch(url, {
      ...init,
      credentials: 'omit',
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    // Offline, refused, or timed out.
    throw new BffError('network_error', `Could not reach ${url.split('?')[0]}`);
  }
  const body = (await res.json().catch(() => undefined)) as T | ErrorBody | undefined;
  if (res.ok && body) return body as T;
  const err = (body as ErrorBody | undefined)?.error;
  throw err?.code
    ? new BffError(err.code, err.message, res.status)
    : new BffError('bad_response', `HTTP ${res.status} without a usable body`, res.status);
}

/**
 * `idempotencyKey`: the same for a retry of the same cart attempt, so the BFF answers with its payment.
 * The header's name is shared/api.ts's IDEMPOTENCY_KEY_HEADER, written out: a value import from there
 * would bring zod into the bundle.
 */
export const createPayment = (
  bff: string,
  body: CreatePaymentRequest,
  idempotencyKey: string,
): Promise<CreatePaymentResponse> =>
  call(`${bff}/api/payments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
    body: JSON.stringify(body),
  });

export const paymentPath = (bff: string, invoice: string): string =>
  `${bff}/api/payments/${encodeURIComponent(invoice)}`;

export const getPaymentStatus = (bff: string, invoice: string, token: string): Promise<PaymentStatusResponse> =>
  call(paymentPath(bff, invoice), { headers: { Authorization: `Bearer ${token}` } });
