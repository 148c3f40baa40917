// The contract with the merchant's backend: the server API (/api/v1, Bearer MERCHANT_API_KEY) and the
// webhooks the BFF sends. Schemas are defined once here; the BFF answers with their inferred types,
// and the OpenAPI document (/openapi.json) is generated from them.
import { z } from 'zod';
import { PaymentStatus } from './api.ts';

const timestamp = z.iso.datetime().meta({ description: 'ISO 8601, UTC.' });
const invoiceNumber = z.string().meta({ example: 'INV-20260101-ABCDEFGHJK' });

export const LineItemOut = z
  .object({ name: z.string(), price: z.number().int().meta({ description: 'Whole IDR.' }), quantity: z.number().int() })
  .meta({ id: 'LineItem' });

export const MetadataOut = z
  .record(z.string(), z.string())
  .meta({ id: 'Metadata', description: "The merchant's own key-value pairs (order token `metadata`)." });

const reference = z
  .string()
  .nullable()
  .meta({ description: "The merchant's order id (order token `ref`, resolveOrder's `reference`), or null." });

export const WEBHOOK_TYPES = ['payment.succeeded', 'payment.failed', 'payment.expired'] as const;
export const WebhookType = z.enum(WEBHOOK_TYPES);

/** The body of every webhook (Standard Webhooks headers carry its id, time and signature). */
export const WebhookPayload = z
  .object({
    type: WebhookType,
    /** When the change happened. */
    timestamp,
    data: z.object({
      invoice_number: invoiceNumber,
      reference,
      metadata: MetadataOut,
      amount: z.number().int(),
      currency: z.literal('IDR'),
      status: PaymentStatus,
      line_items: z.array(LineItemOut),
      created_at: timestamp,
      updated_at: timestamp,
      duplicate_of: z.string().nullable().meta({
        description:
          'On payment.succeeded only: another payment of the same reference was paid first (its invoice): refund one. Otherwise null.',
      }),
    }),
  })
  .meta({ id: 'WebhookPayload' });
export type WebhookPayload = z.infer<typeof WebhookPayload>;

export const HistoryEntry = z
  .object({
    from: PaymentStatus,
    to: PaymentStatus,
    source: z.enum(['notification', 'check_status', 'expiry', 'gateway']).meta({
      description:
        "What moved it: DOKU's notification, a Check Status answer, the order's expiry, or DOKU refusing the payment.",
    }),
    version: z.number().int(),
    at: timestamp,
  })
  .meta({ id: 'HistoryEntry' });

export const Payment = z
  .object({
    invoice_number: invoiceNumber,
    status: PaymentStatus,
    amount: z.number().int(),
    currency: z.literal('IDR'),
    reference,
    metadata: MetadataOut,
    line_items: z.array(LineItemOut),
    customer: z
      .object({ name: z.string().optional(), email: z.string().optional(), phone: z.string().optional() })
      .nullable(),
    needs_review: z.boolean().meta({ description: 'DOKU reported another amount: a person must look.' }),
    duplicate_of: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    expires_at: timestamp,
  })
  .meta({ id: 'Payment' });
export type Payment = z.infer<typeof Payment>;

export const PaymentDetail = Payment.extend({
  history: z.array(HistoryEntry).meta({ description: 'Each status change, oldest first.' }),
}).meta({ id: 'PaymentDetail' });
export type PaymentDetail = z.infer<typeof PaymentDetail>;

const limit = (max: number) => z.coerce.number().int().min(1).max(max).default(20);
const cursor = z.string().max(200).meta({ description: "The previous page's next_cursor." });

export const PaymentListQuery = z.object({
  reference: z.string().min(1).max(64).optional(),
  status: PaymentStatus.optional(),
  created_after: z.iso.datetime().optional().meta({ description: 'Created at or after this time.' }),
  limit: limit(100),
  cursor: cursor.optional(),
});

const page = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() }).meta({ id });

export const PaymentList = page(Payment, 'PaymentList');
export type PaymentList = z.infer<typeof PaymentList>;

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export const DeliveryStatus = z.enum(DELIVERY_STATUSES).meta({
  description: 'pending: queued or being retried; delivered: your backend answered 2xx; failed: retries given up.',
});

export const WebhookDelivery = z
  .object({
    id: z.number().int().meta({ description: 'The delivery (POST /api/v1/webhook-deliveries/{id}/resend).' }),
    webhook_id: z.string().meta({ description: 'The webhook-id header: the same for every attempt and resend.' }),
    type: WebhookType,
    invoice_number: invoiceNumber,
    status: DeliveryStatus,
    attempts: z.number().int(),
    last_error: z.string().nullable().meta({ description: 'Why the last attempt failed (HTTP 500, TimeoutError).' }),
    next_attempt_at: timestamp.nullable(),
    delivered_at: timestamp.nullable(),
    created_at: timestamp,
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryQuery = z.object({
  status: DeliveryStatus.optional(),
  invoice: z.string().min(1).max(64).optional(),
  limit: limit(100),
  cursor: cursor.optional(),
});

export const WebhookDeliveryList = page(WebhookDelivery, 'WebhookDeliveryList');
export type WebhookDeliveryList = z.infer<typeof WebhookDeliveryList>;
