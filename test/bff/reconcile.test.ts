// Reconciliation: lost notifications are recovered with Check Status; orders past expiry are asked
// once more, then marked EXPIRED. Time is moved by passing `now` to tick().
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { sendNotification } from '../helpers/notify.ts';

describe('reconciliation', () => {
  let bff: TestBff;
  before(async () => {
    // PUBLIC_URL points nowhere, so the simulator's notifications are lost, as DOKU's can be.
    bff = await startTestBff({ env: { PUBLIC_URL: 'http://127.0.0.1:9', ALLOWED_ORIGINS: 'http://127.0.0.1:9', RECONCILE_INTERVAL_SECONDS: '30' } });
  });
  after(() => bff.close());
  const later = (ms: number) => new Date(Date.now() + ms);

  async function newPayment() {
    const res = await request(bff.url).post('/api/payments').send({ items: [{ sku: 'sate-ayam', quantity: 1 }] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.invoice_number as string;
  }

  it('does not ask about an order younger than a minute', async () => {
    const inv = await newPayment();
    await bff.simulator!.decide(inv, 'pay');
    const r = await bff.reconciler.tick(later(10_000));
    assert.equal(r.checked, 0);
    assert.equal((await bff.store.getOrder(inv))!.status, 'PENDING');
  });

  it('recovers a lost SUCCESS notification with Check Status, once per interval', async () => {
    const inv = await newPayment();
    const notified = await bff.simulator!.decide(inv, 'pay');
    assert.notEqual(notified.notificationStatus, 200, 'the notification was lost');
    const now = later(61_000);
    const r = await bff.reconciler.tick(now);
    assert.ok(r.checked >= 1);
    assert.equal((await bff.store.getOrder(inv))!.status, 'SUCCESS');
    // Asked again in the same interval: nothing is due.
    const again = await bff.reconciler.tick(new Date(now.getTime() + 1000));
    assert.equal(again.checked, 0);
  });

  it('asks once more past expiry, then marks the order EXPIRED', async () => {
    const inv = await newPayment();
    const r = await bff.reconciler.tick(later(16 * 60_000));
    assert.ok(r.expired >= 1);
    const order = (await bff.store.getOrder(inv))!;
    assert.equal(order.status, 'EXPIRED');
    assert.ok(order.lastCheckedAt, 'it was asked before being expired');
  });

  it('a SUCCESS notification after expiry still wins: money DOKU took is never lost', async () => {
    const inv = await newPayment();
    await bff.reconciler.tick(later(16 * 60_000));
    assert.equal((await bff.store.getOrder(inv))!.status, 'EXPIRED');
    const res = await sendNotification(bff.url, bff.config, { invoice: inv, amount: 32000, status: 'SUCCESS' });
    assert.equal(res.status, 200);
    assert.equal((await bff.store.getOrder(inv))!.status, 'SUCCESS');
  });

  it('keeps an order PENDING when DOKU cannot be asked, and tries again next interval', async () => {
    const offline = await startTestBff({ env: { DOKU_BASE_URL: 'http://127.0.0.1:9/simulator' } });
    try {
      const inv = 'INV-OFFLINE-1';
      await offline.store.insertOrder({ invoiceNumber: inv, amount: 1000, statusTokenHash: '0'.repeat(64), requestId: 'r-offline-1', lineItems: [{ name: 'x', price: 1000, quantity: 1 }], returnUrl: 'http://x/', createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000) });
      const r = await offline.reconciler.tick(later(16 * 60_000));
      assert.equal(r.errors, 1);
      assert.equal((await offline.store.getOrder(inv))!.status, 'PENDING');
    } finally {
      await offline.close();
    }
  });
});
