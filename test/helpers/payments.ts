// A payment created through the BFF's own route, as the element creates one (the demo catalog's SKUs).
import assert from 'node:assert/strict';
import request from 'supertest';
import type { CreatePaymentResponse } from '../../shared/api.ts';

export async function newPayment(bffUrl: string, sku = 'kopi-susu', quantity = 1): Promise<CreatePaymentResponse> {
  const res = await request(bffUrl)
    .post('/api/payments')
    .send({ items: [{ sku, quantity }] });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as CreatePaymentResponse;
}
