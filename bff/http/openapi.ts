// GET /openapi.json: the BFF's HTTP API as an OpenAPI 3.1 document, generated from the zod schemas
// that validate and shape it (shared/, the DOKU notification's in doku/schemas.ts), so it cannot
// drift from what the code accepts and answers. The widget's routes, DOKU's notification route (at
// its configured path), the server API, the webhooks the BFF sends, and the operators' routes.
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import {
  CreatePaymentRequest,
  CreatePaymentResponse,
  ErrorBody,
  IDEMPOTENCY_KEY_HEADER,
  PaymentStatusResponse,
} from '../../shared/api.ts';
import {
  PaymentDetail,
  PaymentList,
  PaymentListQuery,
  WEBHOOK_TYPES,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookDeliveryQuery,
  WebhookPayload,
} from '../../shared/server-api.ts';
import { Notification } from '../doku/schemas.ts';

export interface OpenApiInput {
  publicUrl: string;
  notificationPath: string;
  version: string;
}

const ErrorSchema = ErrorBody.meta({ id: 'Error' });
const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), json(ErrorSchema, ERROR_TEXT[s] ?? 'Error')]));
const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request',
  401: 'Missing or wrong credentials',
  403: 'Origin not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body too large',
  415: 'Not JSON',
  422: 'Idempotency-Key reused with another body',
  429: 'Rate limited',
  502: 'DOKU refused or answered badly',
  503: 'The store is unavailable',
  504: 'DOKU did not answer in time',
};
const text = (type: string, description: string) => ({
  description,
  content: { [type]: { schema: z.string() } },
});

const invoicePath = z.object({ invoice: z.string().max(64).meta({ example: 'INV-20260101-ABCDEFGHJK' }) });
const serverApi = (op: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({
  tags: ['Server API'],
  security: [{ merchantApiKey: [] }],
  ...op,
  responses: { ...op.responses, ...errors(401, 503) },
});
const CheckedPayment = PaymentDetail.extend({
  check: z.object({
    doku_status: z.string().nullable().meta({ description: "DOKU's transaction status; null: DOKU does not know it." }),
    outcome: z.enum(['transition', 'no_change', 'refused', 'unknown_status', 'amount_mismatch', 'unknown_at_doku']),
  }),
}).meta({ id: 'CheckedPayment' });

function paths(notificationPath: string): ZodOpenApiPathsObject {
  return {
    '/api/payments': {
      post: {
        tags: ['Widget'],
        summary: 'Create a payment (or hand the same one out again)',
        requestParams: { header: z.object({ [IDEMPOTENCY_KEY_HEADER]: z.string().max(128).optional() }) },
        requestBody: { content: { 'application/json': { schema: CreatePaymentRequest } } },
        responses: {
          '201': json(CreatePaymentResponse, 'Created'),
          '200': json(CreatePaymentResponse, 'The same payment again (Idempotency-Key, or a pending ref)'),
          ...errors(400, 403, 409, 413, 415, 422, 429, 502, 503, 504),
        },
      },
    },
    '/api/payments/{invoice}': {
      get: {
        tags: ['Widget'],
        summary: "A payment's status",
        security: [{ statusToken: [] }],
        requestParams: { path: invoicePath },
        responses: { '200': json(PaymentStatusResponse, 'The status'), ...errors(403, 404, 429, 503) },
      },
    },
    '/api/payments/{invoice}/events': {
      get: {
        tags: ['Widget'],
        summary: 'Follow a status: server-sent `status` events (data as the status route), closed after a final one',
        requestParams: {
          path: invoicePath,
          query: z.object({ token: z.string().meta({ description: 'Status token' }) }),
        },
        responses: { '200': text('text/event-stream', 'The event stream'), ...errors(403, 404, 429, 503) },
      },
    },
    [notificationPath]: {
      post: {
        tags: ['DOKU'],
        summary: "DOKU's HTTP Notification, verified over its raw bytes",
        security: [{ dokuSignature: [] }],
        requestParams: {
          header: z.object({ 'Client-Id': z.string(), 'Request-Id': z.string(), 'Request-Timestamp': z.string() }),
        },
        requestBody: { content: { 'application/json': { schema: Notification } } },
        responses: {
          '200': json(z.object({ received: z.literal(true), duplicate: z.boolean() }), 'Stored (or already stored)'),
          ...errors(400, 401, 404, 413, 429, 503),
        },
      },
    },
    '/healthz': {
      get: { tags: ['Operators'], responses: { '200': json(z.object({ status: z.literal('ok') }), 'Alive') } },
    },
    '/readyz': {
      get: {
        tags: ['Operators'],
        responses: {
          '200': json(z.object({ status: z.literal('ready'), store: z.literal('ok') }), 'Ready'),
          ...errors(503),
        },
      },
    },
    '/linkaja-pay.js': {
      get: { tags: ['Widget'], responses: { '200': text('text/javascript', 'The element (ES module)') } },
    },
    '/linkaja-pay.iife.js': {
      get: { tags: ['Widget'], responses: { '200': text('text/javascript', 'The element (classic script)') } },
    },
    '/api/v1/payments': {
      get: serverApi({
        summary: 'Payments, newest first, a page at a time',
        requestParams: { query: PaymentListQuery },
        responses: { '200': json(PaymentList, 'A page'), ...errors(400) },
      }),
    },
    '/api/v1/payments/{invoice}': {
      get: serverApi({
        summary: 'A whole payment with its history',
        requestParams: { path: invoicePath },
        responses: { '200': json(PaymentDetail, 'The payment'), ...errors(404) },
      }),
    },
    '/api/v1/payments/{invoice}/check': {
      post: serverApi({
        summary: "Ask DOKU's Check Status now and apply the answer",
        requestParams: { path: invoicePath },
        responses: { '200': json(CheckedPayment, 'The payment after the answer'), ...errors(404, 502, 504) },
      }),
    },
    '/api/v1/webhook-deliveries': {
      get: serverApi({
        summary: 'Webhook deliveries, newest first',
        requestParams: { query: WebhookDeliveryQuery },
        responses: { '200': json(WebhookDeliveryList, 'A page'), ...errors(400) },
      }),
    },
    '/api/v1/webhook-deliveries/{id}/resend': {
      post: serverApi({
        summary: 'Queue a delivery again (same webhook-id)',
        requestParams: { path: z.object({ id: z.string().regex(/^\d+$/) }) },
        responses: { '202': json(WebhookDelivery, 'Queued'), ...errors(404, 409) },
      }),
    },
    '/metrics': {
      get: {
        tags: ['Operators'],
        summary: 'Prometheus metrics (only with METRICS_TOKEN)',
        security: [{ metricsToken: [] }],
        responses: { '200': text('text/plain', 'Prometheus text format 0.0.4'), ...errors(401) },
      },
    },
    '/openapi.json': {
      get: {
        tags: ['Operators'],
        responses: { '200': { description: 'This document', content: { 'application/json': {} } } },
      },
    },
  };
}

/** The webhooks sent to MERCHANT_WEBHOOK_URL, one entry per type (Standard Webhooks headers). */
const webhooks = (): ZodOpenApiPathsObject =>
  Object.fromEntries(
    WEBHOOK_TYPES.map((type) => [
      type,
      {
        post: {
          tags: ['Webhooks'],
          summary: `${type}: verify with a Standard Webhooks library and MERCHANT_WEBHOOK_SECRET`,
          requestParams: {
            header: z.object({
              'webhook-id': z.string().meta({ description: 'msg_<invoice>_<version>: drop repeats by it' }),
              'webhook-timestamp': z.string().meta({ description: 'Unix seconds' }),
              'webhook-signature': z.string().meta({ description: 'v1,<base64 HMAC-SHA256>' }),
            }),
          },
          requestBody: { content: { 'application/json': { schema: WebhookPayload } } },
          responses: { '200': { description: 'Any 2xx within 10 s: delivered' } },
        },
      },
    ]),
  );

export function openApiDocument(input: OpenApiInput): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'linkaja-pay BFF',
      version: input.version,
      description:
        'Accept LinkAja e-money through DOKU: the BFF the <linkaja-pay> element, DOKU and your backend call.',
    },
    servers: [{ url: input.publicUrl }],
    paths: paths(input.notificationPath),
    webhooks: webhooks(),
    components: {
      securitySchemes: {
        statusToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The status_token of the payment (or its return ticket)',
        },
        merchantApiKey: { type: 'http', scheme: 'bearer', description: 'MERCHANT_API_KEY' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN' },
        dokuSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'Signature',
          description: 'HMACSHA256=… over Client-Id, Request-Id, Request-Timestamp, Request-Target and Digest',
        },
      },
    },
  });
}
