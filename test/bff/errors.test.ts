// The one table at the HTTP edge: every domain, gateway and store error answers a status and a
// public code from shared/api.ts, with a message safe to show; anything else is a bare 500.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_CODES } from '../../shared/api.ts';
import { GatewayError, type GatewayErrorKind } from '../../bff/doku/client.ts';
import { ApiError, publicError } from '../../bff/http/errors.ts';
import { OrderError, type OrderErrorCode } from '../../bff/orders/errors.ts';
import { StoreError } from '../../bff/store/errors.ts';

const answered = (err: unknown) => {
  const api = publicError(err);
  assert.ok(api instanceof ApiError, `no answer for ${String(err)}`);
  assert.ok((ERROR_CODES as readonly string[]).includes(api.code), api.code);
  return { status: api.status, code: api.code, message: api.message, details: api.details };
};

describe('publicError', () => {
  it('answers each domain error with its status, its public code and its own message and details', () => {
    const expected: Record<OrderErrorCode, [number, string]> = {
      unknown_sku: [400, 'unknown_sku'],
      amount_too_large: [400, 'amount_too_large'],
      invalid_order: [400, 'invalid_request'],
      invalid_order_token: [400, 'invalid_order_token'],
      order_token_expired: [400, 'invalid_order_token'],
      order_source_unavailable: [400, 'order_source_unavailable'],
      return_url_not_allowed: [400, 'return_url_not_allowed'],
      idempotency_key_reused: [422, 'idempotency_key_reused'],
      payment_in_progress: [409, 'payment_in_progress'],
      already_paid: [409, 'already_paid'],
      not_found: [404, 'not_found'],
      webhooks_not_configured: [409, 'webhooks_not_configured'],
    };
    for (const [code, [status, publicCode]] of Object.entries(expected)) {
      const details = [{ path: 'x', message: 'y' }];
      assert.deepEqual(answered(new OrderError(code as OrderErrorCode, `about ${code}`, details)), {
        status,
        code: publicCode,
        message: `about ${code}`,
        details,
      });
    }
  });

  it("answers DOKU's failures 504 (timeout) or 502, never with DOKU's own message", () => {
    const kinds: Record<GatewayErrorKind, [number, string]> = {
      timeout: [504, 'gateway_timeout'],
      network: [502, 'gateway_error'],
      refused: [502, 'gateway_error'],
      bad_response: [502, 'gateway_error'],
    };
    for (const [kind, [status, code]] of Object.entries(kinds)) {
      const a = answered(new GatewayError(kind as GatewayErrorKind, 'DOKU refused (HTTP 400, secret-ish detail)'));
      assert.deepEqual([a.status, a.code], [status, code]);
      assert.ok(!a.message.includes('secret-ish'), a.message);
    }
  });

  it("answers a store failure 503 store_unavailable with the caller's message, not the driver's", () => {
    const a = answered(new StoreError('Try again.', { cause: new Error('connect ECONNREFUSED 10.0.0.5:5432') }));
    assert.deepEqual([a.status, a.code, a.message], [503, 'store_unavailable', 'Try again.']);
  });

  it('leaves anything else unanswered (the handler makes it a bare 500)', () => {
    assert.equal(publicError(new Error('boom')), undefined);
    assert.equal(publicError(undefined), undefined);
  });
});
