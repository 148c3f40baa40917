// The wire contract between the <linkaja-pay> element and the BFF.
// Schemas are defined once here; both sides infer their types from them.
import { z } from 'zod';
import { normaliseIndonesianPhone } from './phone.ts';

/** The four states an order can be in, as the widget sees them. */
export const PAYMENT_STATUSES = ['PENDING', 'SUCCESS', 'FAILED', 'EXPIRED'] as const;
export const PaymentStatus = z.enum(PAYMENT_STATUSES);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

/** SUCCESS, FAILED and EXPIRED end a status stream (FAILED/EXPIRED may still become SUCCESS on the server). */
export const isFinalStatus = (s: PaymentStatus): boolean => s !== 'PENDING';

export const MAX_LINES = 50;
export const MAX_QUANTITY = 99;

// Unknown keys are stripped, not refused: whatever the browser says about prices is simply ignored.
export const CartItem = z.object({
  sku: z.string().min(1).max(64),
  quantity: z.number().int().min(1).max(MAX_QUANTITY),
});
export type CartItem = z.infer<typeof CartItem>;

export const Customer = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  email: z.email().max(254).optional(),
  /** An Indonesian mobile number (08…, +628…, 628…; spaces, dots, dashes ignored), sent on as 08…. */
  phone: z
    .string()
    .max(32)
    .transform((raw, ctx) => {
      const phone = normaliseIndonesianPhone(raw);
      if (phone === null) {
        ctx.issues.push({
          code: 'custom',
          input: raw,
          message: 'must be an Indonesian mobile number such as 0812 3456 7890, +62 812 3456 7890 or 62812…',
        });
        return z.NEVER;
      }
      return phone;
    })
    .optional(),
});
export type Customer = z.infer<typeof Customer>;

/**
 * `Idempotency-Key` on POST /api/payments: the same key (per calling origin) with the same body gets
 * the same payment back until it expires; with another body a 422.
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IdempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_\-:.]{1,128}$/, '1 to 128 characters of A-Z a-z 0-9 _ - : .');

/**
 * Query parameters the BFF adds to the merchant's return URL (DOKU's callback_url): the payment the
 * customer comes back from, and a read-only ticket for its status (the element removes both).
 */
export const RETURN_INVOICE_PARAM = 'linkaja_invoice';
export const RETURN_TOKEN_PARAM = 'linkaja_token';

const returnUrl = z.url({ protocol: /^https?$/ }).max(2048);

/** POST /api/payments: either a cart of catalog SKUs or a merchant-signed order token, never both. */
export const CreatePaymentRequest = z.union(
  [
    z.object({
      items: z.array(CartItem).min(1).max(MAX_LINES),
      order_token: z.undefined({ error: 'send items or order_token, not both' }).optional(),
      customer: Customer.optional(),
      return_url: returnUrl.optional(),
    }),
    z.object({
      order_token: z.string().min(1).max(8192),
      items: z.undefined({ error: 'send items or order_token, not both' }).optional(),
      customer: Customer.optional(),
      return_url: returnUrl.optional(),
    }),
  ],
  { error: 'send either items: [{sku, quantity}] or order_token (not both)' },
);
export type CreatePaymentRequest = z.infer<typeof CreatePaymentRequest>;

export const RedirectParameter = z.object({ name: z.string(), value: z.string() });
export const Redirect = z.object({
  method: z.string(),
  url: z.url(),
  parameters: z.array(RedirectParameter),
});
export type Redirect = z.infer<typeof Redirect>;

export const CreatePaymentResponse = z.object({
  invoice_number: z.string(),
  amount: z.number().int(),
  currency: z.literal('IDR'),
  status: PaymentStatus,
  status_token: z.string(),
  expires_at: z.string(),
  redirect: Redirect,
});
export type CreatePaymentResponse = z.infer<typeof CreatePaymentResponse>;

/** GET /api/payments/:invoice and the data of each `status` server-sent event. */
export const PaymentStatusResponse = z.object({
  invoice_number: z.string(),
  amount: z.number().int(),
  status: PaymentStatus,
  updated_at: z.string(),
  /** The merchant's own order id, when the order carried one. */
  reference: z.string().nullable(),
});
export type PaymentStatusResponse = z.infer<typeof PaymentStatusResponse>;

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Error codes the BFF answers with; the widget may show its own text for each. */
export const ERROR_CODES = [
  'invalid_request',
  'unknown_sku',
  'amount_too_large',
  'invalid_order_token',
  'order_source_unavailable',
  'origin_not_allowed',
  'return_url_not_allowed',
  /** The Idempotency-Key was already used with another request body. */
  'idempotency_key_reused',
  /** The same payment is being created by another request right now: ask again in a moment. */
  'payment_in_progress',
  /** The merchant's order (its reference) is already paid. */
  'already_paid',
  'not_found',
  /** The server API or /metrics without the right Bearer key. */
  'unauthorized',
  /** A webhook resend on a BFF without MERCHANT_WEBHOOK_URL. */
  'webhooks_not_configured',
  'invalid_signature',
  'payload_too_large',
  'rate_limited',
  'gateway_error',
  'gateway_timeout',
  'store_unavailable',
  'server_busy',
  'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Names of the server-sent events on /api/payments/:invoice/events. */
export const STATUS_EVENT = 'status';
