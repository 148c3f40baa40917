// The wire contract between the <linkaja-pay> element and the BFF.
// Schemas are defined once here; both sides infer their types from them.
import { z } from 'zod';

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
  // At most 16 characters, as DOKU takes them.
  phone: z
    .string()
    .regex(/^\+?[0-9]{6,15}$/, 'digits only, 6 to 15, optional leading +')
    .optional(),
});
export type Customer = z.infer<typeof Customer>;

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
  'not_found',
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
