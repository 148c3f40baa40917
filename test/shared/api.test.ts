// The wire contract itself: what the element may send, and the shapes it can rely on getting back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CreatePaymentRequest,
  CreatePaymentResponse,
  ERROR_CODES,
  ErrorBody,
  isFinalStatus,
  MAX_LINES,
  MAX_QUANTITY,
  PAYMENT_STATUSES,
  PaymentStatusResponse,
} from '../../shared/api.ts';

describe('CreatePaymentRequest', () => {
  it('accepts a cart of SKUs and strips anything the browser says about prices', () => {
    const r = CreatePaymentRequest.parse({ items: [{ sku: 'nasi-goreng', quantity: 2, price: 1 }], amount: 1 });
    assert.deepEqual(r, { items: [{ sku: 'nasi-goreng', quantity: 2 }] });
  });
  it('accepts an order token', () => {
    assert.deepEqual(CreatePaymentRequest.parse({ order_token: 'a.b.c' }), { order_token: 'a.b.c' });
  });
  it('refuses both items and an order token, and neither', () => {
    assert.equal(
      CreatePaymentRequest.safeParse({ items: [{ sku: 'x', quantity: 1 }], order_token: 'a.b.c' }).success,
      false,
    );
    assert.equal(CreatePaymentRequest.safeParse({}).success, false);
  });
  it('refuses quantities outside 1..99, fractions, and more than 50 lines', () => {
    for (const quantity of [0, MAX_QUANTITY + 1, 1.5, -1, '2']) {
      assert.equal(
        CreatePaymentRequest.safeParse({ items: [{ sku: 'x', quantity }] }).success,
        false,
        `quantity ${quantity}`,
      );
    }
    const lines = (n: number) => Array.from({ length: n }, (_, i) => ({ sku: `s${i}`, quantity: 1 }));
    assert.equal(CreatePaymentRequest.safeParse({ items: lines(MAX_LINES) }).success, true);
    assert.equal(CreatePaymentRequest.safeParse({ items: lines(MAX_LINES + 1) }).success, false);
    assert.equal(CreatePaymentRequest.safeParse({ items: [] }).success, false);
  });
  it('takes only http(s) return URLs', () => {
    const ok = (return_url: string) =>
      CreatePaymentRequest.safeParse({ items: [{ sku: 'x', quantity: 1 }], return_url }).success;
    assert.equal(ok('https://shop.example/checkout?x=1'), true);
    assert.equal(ok('javascript:alert(1)'), false);
    assert.equal(ok('data:text/html,hi'), false);
  });
  it('validates the optional customer', () => {
    const ok = (customer: unknown) =>
      CreatePaymentRequest.safeParse({ items: [{ sku: 'x', quantity: 1 }], customer }).success;
    assert.equal(ok({ name: 'Budi', email: 'budi@example.id', phone: '+6281234567890' }), true);
    assert.equal(ok({ email: 'not-an-email' }), false);
    assert.equal(ok({ phone: '0812-abc' }), false);
  });
});

describe('responses', () => {
  it('a created payment carries the redirect the element submits as a form', () => {
    const body = {
      invoice_number: 'INV-1',
      amount: 55000,
      currency: 'IDR',
      status: 'PENDING',
      status_token: 't',
      expires_at: '2026-11-24T10:15:00Z',
      redirect: { method: 'POST', url: 'https://pay.example/linkaja', parameters: [{ name: 'Message', value: 'abc' }] },
    };
    assert.deepEqual(CreatePaymentResponse.parse(body), body);
    assert.equal(CreatePaymentResponse.safeParse({ ...body, currency: 'USD' }).success, false);
    assert.equal(CreatePaymentResponse.safeParse({ ...body, amount: 1.5 }).success, false);
  });
  it('status answers use the four states only', () => {
    const s = {
      invoice_number: 'INV-1',
      amount: 1000,
      status: 'SUCCESS',
      updated_at: '2026-11-24T10:00:00Z',
      reference: null,
    };
    assert.equal(PaymentStatusResponse.safeParse(s).success, true);
    assert.equal(PaymentStatusResponse.safeParse({ ...s, reference: 'ORDER-1' }).success, true);
    assert.equal(PaymentStatusResponse.safeParse({ ...s, status: 'PAID' }).success, false);
    assert.deepEqual(PAYMENT_STATUSES.filter(isFinalStatus), ['SUCCESS', 'FAILED', 'EXPIRED']);
  });
  it('errors are {error:{code,message}} and codes are unique', () => {
    assert.equal(ErrorBody.safeParse({ error: { code: 'not_found', message: 'No such payment.' } }).success, true);
    assert.equal(ErrorBody.safeParse({ message: 'x' }).success, false);
    assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
  });
});
