// The order domain's one error type: what is wrong with an order, said in the domain's words and in
// a message written for the person who sent it. The HTTP edge (http/errors.ts) maps each code to a
// status and a public error code; nothing here knows HTTP.
export type OrderErrorCode =
  | 'unknown_sku'
  | 'amount_too_large'
  /** Lines outside the limits, or an order DOKU's request shape would refuse. */
  | 'invalid_order'
  | 'invalid_order_token'
  | 'order_token_expired'
  /** The request names an order source this BFF does not have (order tokens without a secret). */
  | 'order_source_unavailable'
  | 'return_url_not_allowed'
  /** An Idempotency-Key presented again with another request. */
  | 'idempotency_key_reused'
  /** The payment a key or reference names is still being created (DOKU has not answered yet). */
  | 'payment_in_progress'
  /** The merchant's reference already has a paid payment. */
  | 'already_paid'
  /** No such payment (or webhook delivery), asked for by the merchant's backend or an operator. */
  | 'not_found'
  /** A webhook resend, but MERCHANT_WEBHOOK_URL is not set: nothing would send it. */
  | 'webhooks_not_configured';

export class OrderError extends Error {
  override name = 'OrderError';
  constructor(
    readonly code: OrderErrorCode,
    message: string,
    /** What to fix, one entry per problem (safe to show). */
    readonly details?: ReadonlyArray<{ path: string; message: string }>,
  ) {
    super(message);
  }
}
