// The merchant's webhooks in the Standard Webhooks format (standardwebhooks.com): headers
// `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`, a `whsec_<base64>`
// secret, signed and verified by the maintained `standardwebhooks` package, so a merchant's backend
// in PHP, Python, Go, Ruby or Java verifies with that ecosystem's ready library. Importable alone (the
// `linkaja-pay/webhook` export): no Express, no database.
import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError as LibraryError } from 'standardwebhooks';
import type { PaymentStatus } from '../../shared/api.ts';
import type { WebhookPayload } from '../../shared/server-api.ts';
import type { Order } from '../orders/order.ts';
import type { WebhookDue } from '../store/types.ts';

export type { WebhookPayload } from '../../shared/server-api.ts';

const SECRET_PREFIX = 'whsec_';
/** Bytes of key a secret must hold (Standard Webhooks asks for 24 to 64); `newWebhookSecret` makes 32. */
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

/** A fresh secret for MERCHANT_WEBHOOK_SECRET: `whsec_` and base64 of 32 random bytes. */
export const newWebhookSecret = (): string => SECRET_PREFIX + randomBytes(32).toString('base64');

/** What is wrong with a webhook secret (to follow the variable's name), or null. Never echoes it. */
export function webhookSecretProblem(secret: string): string | null {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : undefined;
  const bytes = b64 !== undefined && /^[A-Za-z0-9+/]+={0,2}$/.test(b64) ? Buffer.from(b64, 'base64').length : 0;
  if (bytes >= MIN_KEY_BYTES && bytes <= MAX_KEY_BYTES) return null;
  return `must be a Standard Webhooks secret: whsec_ then base64 of ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} random bytes (make one with: npx linkaja-pay webhooks secret)`;
}

const TYPES = { SUCCESS: 'payment.succeeded', FAILED: 'payment.failed', EXPIRED: 'payment.expired' } as const;

/** The webhook type of a change to `status` (only final changes are ever queued). */
export const webhookTypeOf = (status: PaymentStatus): WebhookPayload['type'] =>
  status === 'PENDING' ? 'payment.failed' : TYPES[status];

/** The `webhook-id` of a change: stable across attempts and resends, so receivers drop repeats by it. */
export const webhookMessageId = (invoiceNumber: string, version: number): string => `msg_${invoiceNumber}_${version}`;

/** The one place a webhook's payload is built: the queued change, with the order it belongs to. */
export function webhookPayloadFor(due: WebhookDue, order: Order): WebhookPayload {
  const at = due.at.toISOString();
  return {
    type: webhookTypeOf(due.status),
    timestamp: at,
    data: {
      invoice_number: due.invoiceNumber,
      reference: order.reference,
      metadata: order.metadata,
      amount: due.amount,
      currency: 'IDR',
      status: due.status,
      line_items: order.lineItems,
      created_at: order.createdAt.toISOString(),
      updated_at: at,
      duplicate_of: due.status === 'SUCCESS' ? order.duplicateOf : null,
    },
  };
}

/** The three headers of one attempt (a fresh timestamp each time; the id stays). */
export function webhookHeaders(secret: string, id: string, body: string, at: Date = new Date()) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

/** Why a webhook did not verify; each is one mistake to look for (the error's message says which). */
export type WebhookVerificationReason =
  | 'payload_not_raw'
  | 'missing_header'
  | 'malformed_header'
  | 'timestamp_outside_tolerance'
  | 'signature_mismatch'
  | 'invalid_secret';

/** A webhook that did not verify. Carries the webhook's id for your log, never the secret or the signature. */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
  constructor(
    readonly reason: WebhookVerificationReason,
    message: string,
    readonly webhookId: string | undefined,
  ) {
    super(message);
  }
}

/** The library's refusals (standardwebhooks 1.1.1), said for the integrator. */
const LIBRARY_REFUSALS: Array<[RegExp, WebhookVerificationReason, string]> = [
  [/missing required headers/i, 'missing_header', 'Missing webhook-id, webhook-timestamp or webhook-signature header.'],
  [/invalid signature headers/i, 'malformed_header', 'webhook-timestamp must be unix seconds.'],
  [
    /timestamp too (old|new)/i,
    'timestamp_outside_tolerance',
    'webhook-timestamp is more than 5 minutes from your clock: check your clock, or this is a replay.',
  ],
  [
    /no matching signature/i,
    'signature_mismatch',
    'Webhook signature does not match: check MERCHANT_WEBHOOK_SECRET (the whole whsec_… value) and that you pass the raw request body, not parsed JSON.',
  ],
];

type HeaderBag = Record<string, string | string[] | undefined> | Headers;

/** Lower-case names, first value of each: Node's IncomingHttpHeaders, fetch's Headers, or a plain object. */
function headerRecord(headers: HeaderBag): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    const v = Array.isArray(value) ? value[0] : value;
    if (v !== undefined) out[name.toLowerCase()] = v;
  }
  return out;
}

/**
 * For merchants' backends: verify a webhook over the raw body (a string or Buffer, exactly as
 * received) and its headers, with MERCHANT_WEBHOOK_SECRET. Returns the parsed payload; throws a
 * WebhookVerificationError that says what to check. Timestamps more than 5 minutes away are refused.
 */
export function verifyWebhook(rawBody: string | Buffer, headers: HeaderBag, secret: string): WebhookPayload {
  const bag = headerRecord(headers);
  const id = bag['webhook-id'];
  const fail = (reason: WebhookVerificationReason, message: string) =>
    new WebhookVerificationError(reason, message, id);
  if (typeof secret !== 'string' || webhookSecretProblem(secret.trim()) !== null) {
    throw fail('invalid_secret', 'The secret must be MERCHANT_WEBHOOK_SECRET: whsec_ followed by base64.');
  }
  if (secret.trim() !== secret) throw fail('invalid_secret', 'The webhook secret has white space around it: trim it.');
  if (typeof rawBody !== 'string' && !Buffer.isBuffer(rawBody)) {
    throw fail(
      'payload_not_raw',
      'The payload must be the raw request body (a string or Buffer), not parsed JSON: read it with express.raw() or equivalent.',
    );
  }
  try {
    return new Webhook(secret).verify(rawBody, bag) as WebhookPayload;
  } catch (err) {
    if (!(err instanceof LibraryError)) throw err;
    const known = LIBRARY_REFUSALS.find(([pattern]) => pattern.test(err.message));
    throw known ? fail(known[1], known[2]) : fail('signature_mismatch', err.message);
  }
}
