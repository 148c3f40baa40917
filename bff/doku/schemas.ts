// DOKU's LinkAja wire shapes (doku-protocol.md, linkaja-doc.md). Requests are strict (we
// build them; their line items are the domain's own, orders/line-items.ts); answers and
// notifications are lenient (DOKU adds fields) but what we use is checked.
import { z } from 'zod';
import { LineItem, NO_CONTROL_CHARS } from '../orders/line-items.ts';

export const LINKAJA_PAYMENT_PATH = '/linkaja-emoney/v2/ServiceRequestPayment';
export const CHECK_STATUS_PATH = '/orders/v1/status/';

export const LinkAjaPaymentRequest = z.strictObject({
  order: z.strictObject({
    invoice_number: z.string().min(1).max(64),
    amount: z.number().int().positive(),
    callback_url: z.url(),
    line_items: z.array(LineItem).min(1),
  }),
  customer: z
    .strictObject({
      name: z.string().max(255).optional(),
      email: z.string().max(254).optional(),
      phone: z.string().max(16).optional(),
    })
    .optional(),
  additional_info: z.strictObject({ override_notification_url: z.url() }).optional(),
});
export type LinkAjaPaymentRequest = z.infer<typeof LinkAjaPaymentRequest>;

/** An amount DOKU sends as a number or a string such as "10000.00"; parsed to a number. */
export const DokuAmount = z.union([
  z.number().nonnegative(),
  z
    .string()
    .regex(/^\d+(\.\d{1,2})?$/, 'an amount such as "10000.00"')
    .transform(Number),
]);

export const LinkAjaPaymentResponse = z.looseObject({
  order: z.looseObject({
    invoice_number: z.string(),
    amount: z.string().regex(/^\d+(\.\d{1,2})?$/, 'order.amount is a string such as "10000.00"'),
  }),
  emoney_payment: z.looseObject({
    redirect_method_http: z.string().min(1).max(8),
    redirect_url_http: z.url({ protocol: /^https?$/ }),
    redirect_parameter: z.array(z.looseObject({ name: z.string(), value: z.string() })),
    status: z.string(),
  }),
  emoney_configuration: z
    .looseObject({ identifier: z.array(z.looseObject({ name: z.string(), value: z.string() })) })
    .optional(),
});
export type LinkAjaPaymentResponse = z.infer<typeof LinkAjaPaymentResponse>;

/** Statuses DOKU reports in notifications and Check Status. */
export const DOKU_STATUSES = ['PENDING', 'SUCCESS', 'FAILED', 'EXPIRED', 'REFUNDED', 'TIMEOUT', 'REDIRECT'] as const;

/** HTTP Notification body: lenient, but the fields we act on are validated. */
export const Notification = z.looseObject({
  order: z.looseObject({
    invoice_number: z.string().min(1).max(64).regex(NO_CONTROL_CHARS, 'must not contain control characters'),
    amount: DokuAmount,
  }),
  // Only what is acted on is validated; service, acquirer, channel, dates and ids DOKU adds are kept
  // in the inbox's raw body, never a reason to refuse (a refusal is retried only three times).
  transaction: z.looseObject({ status: z.string().min(1).max(32) }),
});
export type Notification = z.infer<typeof Notification>;

/** Check Status answer: like a notification; no `transaction` means DOKU does not know the order. */
export const CheckStatusResponse = z.looseObject({
  order: z.looseObject({ invoice_number: z.string(), amount: DokuAmount.optional() }).optional(),
  transaction: z.looseObject({ status: z.string().min(1).max(32) }).optional(),
});
export type CheckStatusResponse = z.infer<typeof CheckStatusResponse>;
