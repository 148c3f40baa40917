// Reading and following an order's status: token checks, the JSON route and server-sent events.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { PaymentStatusResponse } from '../../shared/api.ts';
import type { MemoryBus } from '../../bff/events/bus.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { sendNotification } from '../helpers/notify.ts';
import { get, type ClientRequest } from 'node:http';
import { openStream } from '../helpers/sse.ts';
import { newPayment as createPayment } from '../helpers/payments.ts';

/** Sends a stream request and resolves once it is on the wire, before any answer. */
const openStreamRequest = (url: string) =>
  new Promise<ClientRequest>((resolve) => {
    const req = get(url, { headers: { Accept: 'text/event-stream' } });
    req.on('error', () => undefined);
    req.on('socket', (socket) => socket.on('connect', () => setImmediate(() => resolve(req))));
  });

describe('status', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff({ deps: { streams: { heartbeatMs: 100 } } });
  });
  after(() => bff.close());

  const newPayment = () => createPayment(bff.url);
  const notify = (inv: string, amount: number, status: string) =>
    sendNotification(bff.url, bff.config, { invoice: inv, amount, status });

  describe('GET /api/payments/:invoice', () => {
    it('answers with a Bearer token (not ?token=: that is for the event stream alone), no-store', async () => {
      const p = await newPayment();
      const viaHeader = await request(bff.url)
        .get(`/api/payments/${p.invoice_number}`)
        .set('Authorization', `Bearer ${p.status_token}`);
      assert.equal(viaHeader.status, 200);
      const body = PaymentStatusResponse.parse(viaHeader.body);
      assert.deepEqual(
        [body.invoice_number, body.amount, body.status, body.reference],
        [p.invoice_number, 18000, 'PENDING', null],
      );
      assert.equal(viaHeader.get('cache-control'), 'no-store');
      const viaQuery = await request(bff.url).get(`/api/payments/${p.invoice_number}?token=${p.status_token}`);
      assert.equal(viaQuery.status, 404);
      await notify(p.invoice_number, p.amount, 'SUCCESS');
      const after = await request(bff.url)
        .get(`/api/payments/${p.invoice_number}`)
        .set('Authorization', `Bearer ${p.status_token}`);
      assert.equal(after.body.status, 'SUCCESS');
    });

    it('refuses the token in the query (?token= is for the events route alone): it would reach proxy logs', async () => {
      const p = await newPayment();
      const viaQuery = await request(bff.url).get(`/api/payments/${p.invoice_number}?token=${p.status_token}`);
      const none = await request(bff.url).get(`/api/payments/${p.invoice_number}`);
      assert.equal(viaQuery.status, 404);
      assert.deepEqual(viaQuery.body, none.body);
    });

    it('a wrong token, no token and an unknown invoice answer alike', async () => {
      const p = await newPayment();
      const wrong = await request(bff.url).get(`/api/payments/${p.invoice_number}`).set('Authorization', 'Bearer nope');
      const none = await request(bff.url).get(`/api/payments/${p.invoice_number}`);
      const unknown = await request(bff.url)
        .get('/api/payments/INV-20260101-AAAAAAAAAA')
        .set('Authorization', `Bearer ${p.status_token}`);
      const other = await newPayment();
      const crossed = await request(bff.url)
        .get(`/api/payments/${other.invoice_number}`)
        .set('Authorization', `Bearer ${p.status_token}`);
      for (const r of [wrong, none, unknown, crossed]) {
        assert.equal(r.status, 404);
        assert.deepEqual(r.body, wrong.body);
      }
    });

    it('an invoice that cannot be one (a broken escape, an encoded slash, too long) answers 404 like an unknown one', async () => {
      const p = await newPayment();
      const read = (invoice: string) =>
        request(bff.url).get(`/api/payments/${invoice}`).set('Authorization', `Bearer ${p.status_token}`);
      const unknown = await read('INV-20260101-AAAAAAAAAA');
      for (const invoice of ['%E0%A4%A', `${p.invoice_number}%2F`, 'I'.repeat(65)]) {
        const res = await read(invoice);
        assert.equal(res.status, 404, invoice);
        assert.deepEqual(res.body, unknown.body, invoice);
        assert.equal(res.get('cache-control'), 'no-store');
      }
    });
  });

  describe('GET /api/payments/:invoice/events', () => {
    const streamUrl = (p: { invoice_number: string; status_token: string }) =>
      `${bff.url}/api/payments/${p.invoice_number}/events?token=${p.status_token}`;

    it('sends the status at once, an event at each change, then closes after a final state', async () => {
      const p = await newPayment();
      const s = await openStream(streamUrl(p));
      assert.equal(s.status, 200);
      assert.match(String(s.headers['content-type']), /^text\/event-stream/);
      // The head still carries what every API answer does (the stream lets go of Node's copy once sent).
      assert.equal(s.headers['cache-control'], 'no-store');
      assert.match(String(s.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      assert.equal(s.headers['x-content-type-options'], 'nosniff');
      assert.ok(s.headers['content-security-policy']);
      assert.ok(s.headers['ratelimit-policy'] ?? s.headers['ratelimit'], 'the read budget is announced');
      const first = await s.event(0);
      assert.equal(first.event, 'status');
      assert.equal(JSON.parse(first.data).status, 'PENDING');
      await notify(p.invoice_number, p.amount, 'SUCCESS');
      const second = await s.event(1);
      assert.equal(JSON.parse(second.data).status, 'SUCCESS');
      assert.equal(second.id, '1');
      await s.ended;
    });

    it('sends heartbeat comments', async () => {
      const p = await newPayment();
      const s = await openStream(streamUrl(p));
      await s.event(0);
      await new Promise((r) => setTimeout(r, 350));
      assert.ok(s.comments.filter((c) => c === 'heartbeat').length >= 2, `heartbeats: ${s.comments.join(',')}`);
      s.close();
    });

    it('honours Last-Event-ID: nothing already seen is sent again', async () => {
      const p = await newPayment();
      const s = await openStream(streamUrl(p), { 'Last-Event-ID': '0' });
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(s.events.length, 0);
      await notify(p.invoice_number, p.amount, 'FAILED');
      assert.equal(JSON.parse((await s.event(0)).data).status, 'FAILED');
      await s.ended;
    });

    it('a stream opened on a final order gets the status and closes', async () => {
      const p = await newPayment();
      await notify(p.invoice_number, p.amount, 'EXPIRED');
      const s = await openStream(streamUrl(p));
      assert.equal(JSON.parse((await s.event(0)).data).status, 'EXPIRED');
      await s.ended;
    });

    it('a closed client frees everything it held', async () => {
      const bus = bff.bus as MemoryBus;
      const p = await newPayment();
      const streams = await Promise.all(Array.from({ length: 3 }, () => openStream(streamUrl(p))));
      await Promise.all(streams.map((s) => s.event(0)));
      assert.equal(bus.listenerCount(p.invoice_number), 1, "one subscription serves the order's streams");
      streams.forEach((s) => s.close());
      for (let i = 0; i < 50 && bus.listenerCount(p.invoice_number) > 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.equal(bus.listenerCount(p.invoice_number), 0);
    });

    it('a change committed by the store alone reaches the stream: nobody publishes, nothing polls', async () => {
      // Heartbeats far apart, so only the store's own announcement (after its commit) can carry the change.
      const quiet = await startTestBff({ deps: { streams: { heartbeatMs: 60_000 } } });
      try {
        const res = await request(quiet.url)
          .post('/api/payments')
          .send({ items: [{ sku: 'kopi-susu', quantity: 1 }] });
        const p = res.body as { invoice_number: string; amount: number; status_token: string };
        const s = await openStream(`${quiet.url}/api/payments/${p.invoice_number}/events?token=${p.status_token}`);
        await s.event(0);
        await quiet.store.applyReport({
          invoiceNumber: p.invoice_number,
          report: { status: 'SUCCESS', amount: p.amount },
          source: 'check_status',
          now: new Date(),
        });
        assert.equal(JSON.parse((await s.event(1, 2000)).data).status, 'SUCCESS');
        await s.ended;
      } finally {
        await quiet.close();
      }
    });

    it('a client that leaves while its stream is being authorised leaves nothing behind', async () => {
      // A slow database widens the window that PostgreSQL's network round trip opens in production.
      const slow = Object.create(bff.store) as typeof bff.store;
      slow.getOrder = async (invoice) => {
        await new Promise((r) => setTimeout(r, 150));
        return bff.store.getOrder(invoice);
      };
      const other = await startTestBff({ store: slow, bus: bff.bus, deps: { streams: { heartbeatMs: 100 } } });
      try {
        const res = await request(other.url)
          .post('/api/payments')
          .send({ items: [{ sku: 'kopi-susu', quantity: 1 }] });
        const p = res.body as { invoice_number: string; status_token: string };
        const clients = await Promise.all(
          Array.from({ length: 3 }, () =>
            openStreamRequest(`${other.url}/api/payments/${p.invoice_number}/events?token=${p.status_token}`),
          ),
        );
        await new Promise((r) => setTimeout(r, 40));
        clients.forEach((c) => c.destroy());
        await new Promise((r) => setTimeout(r, 400));
        assert.equal(
          (other.bus as MemoryBus).listenerCount(p.invoice_number),
          0,
          'no subscription outlives its client',
        );
      } finally {
        await other.close();
      }
    });

    it('refuses a wrong token like the JSON route', async () => {
      const p = await newPayment();
      const res = await request(bff.url).get(`/api/payments/${p.invoice_number}/events?token=wrong`);
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'not_found');
    });
  });
});
