// Status streams cannot exhaust the server: at most 3 per status token (a fourth ends the oldest, so
// a phone that reconnects is never locked out), MAX_STREAMS_PER_IP per client address (429), MAX_STREAMS
// in all (503 with Retry-After), one shared heartbeat timer, and an end after the maximum age.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { capturingLogger } from '../helpers/log-capture.ts';
import { openStream, type SseStream } from '../helpers/sse.ts';
import { newPayment as createPayment } from '../helpers/payments.ts';

interface Payment {
  invoice_number: string;
  status_token: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a stream has been ended by the server (or refused): resolves within `ms`. */
const endedWithin = (s: SseStream, ms: number) => Promise.race([s.ended.then(() => true), sleep(ms).then(() => false)]);

describe('status stream caps', () => {
  let bff: TestBff;
  const held: SseStream[] = [];
  before(async () => {
    bff = await startTestBff({
      env: { TRUST_PROXY: '1', MAX_STREAMS_PER_IP: '5', MAX_STREAMS: '12' },
      deps: { streams: { heartbeatMs: 100 } },
    });
  });
  after(async () => {
    held.forEach((s) => s.close());
    await bff.close();
  });

  const newPayment = (): Promise<Payment> => createPayment(bff.url);
  async function open(p: Payment, address: string, token = p.status_token) {
    const s = await openStream(`${bff.url}/api/payments/${p.invoice_number}/events?token=${token}`, {
      'X-Forwarded-For': address,
    });
    held.push(s);
    if (s.status === 200) await s.event(0);
    return s;
  }
  const closeAll = async (streams: SseStream[]) => {
    streams.forEach((s) => s.close());
    await sleep(100); // the server sees each close
  };

  it('one status token holds at most 3 streams: each new one ends the oldest, none is refused', async () => {
    const p = await newPayment();
    const streams: SseStream[] = [];
    for (let i = 0; i < 8; i++) {
      // A phone reconnecting again and again, from a new address each time (mobile networks change them).
      const s = await open(p, `198.51.100.${i + 1}`);
      assert.equal(s.status, 200, `stream ${i + 1} accepted`);
      streams.push(s);
    }
    const ended = await Promise.all(streams.map((s) => endedWithin(s, 300)));
    assert.deepEqual(ended, [true, true, true, true, true, false, false, false], 'the newest three stay open');
    await closeAll(streams);
  });

  it('one address holds MAX_STREAMS_PER_IP streams, then 429 (before the order is read); others are unaffected', async () => {
    const address = '203.0.113.7';
    const payments = await Promise.all(Array.from({ length: 6 }, newPayment));
    const streams = [];
    for (const p of payments.slice(0, 5)) streams.push(await open(p, address));
    assert.deepEqual(
      streams.map((s) => s.status),
      [200, 200, 200, 200, 200],
    );
    const refused = await request(bff.url)
      .get(`/api/payments/${payments[5].invoice_number}/events?token=${payments[5].status_token}`)
      .set('X-Forwarded-For', address);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'rate_limited');
    const wrongToken = await request(bff.url)
      .get(`/api/payments/${payments[5].invoice_number}/events?token=nope`)
      .set('X-Forwarded-For', address);
    assert.equal(wrongToken.status, 429, 'refused before the order is even read');
    // Its status token's own stream still opens: from another address, or once this one closed one.
    assert.equal((await open(payments[5], '203.0.113.8')).status, 200);
    await closeAll(streams.slice(0, 1));
    assert.equal((await open(payments[5], address)).status, 200, 'a closed stream frees its place');
    await closeAll([...streams, ...held.splice(0)]);
  });

  it("an address at its cap can still reconnect a token's stream: the new one takes the oldest's place", async () => {
    const address = '203.0.113.9';
    const phone = await newPayment();
    const streams = [];
    for (let i = 0; i < 3; i++) streams.push(await open(phone, address));
    for (let i = 0; i < 2; i++) streams.push(await open(await newPayment(), address));
    assert.ok(
      streams.every((s) => s.status === 200),
      'the address is at its cap of 5',
    );
    const reconnect = await open(phone, address);
    assert.equal(reconnect.status, 200);
    assert.equal(await endedWithin(streams[0], 300), true, "the phone's oldest stream was ended");
    await closeAll([...streams, reconnect]);
  });

  it('MAX_STREAMS in all, then 503 with Retry-After', async () => {
    const streams = [];
    for (let i = 0; i < 12; i++) streams.push(await open(await newPayment(), `192.0.2.${i + 1}`));
    assert.ok(streams.every((s) => s.status === 200));
    const p = await newPayment();
    const res = await request(bff.url)
      .get(`/api/payments/${p.invoice_number}/events?token=${p.status_token}`)
      .set('X-Forwarded-For', '192.0.2.100');
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, 'server_busy');
    assert.equal(res.get('retry-after'), '30');
    await closeAll(streams);
  });

  it('one heartbeat timer serves every stream', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const streams = [];
    for (let i = 0; i < 10; i++) streams.push(await open(await newPayment(), `192.0.2.${i + 1}`));
    const added = timers() - before;
    await sleep(250);
    assert.ok(
      streams.every((s) => s.comments.filter((c) => c === 'heartbeat').length >= 2),
      'each stream hears the heartbeat',
    );
    assert.ok(added <= 1, `${added} timers for 10 streams`);
    await closeAll(streams);
  });
});

describe('status stream age', () => {
  it('a stream is ended after its maximum age (the client reconnects), and logged then', async () => {
    const logs = capturingLogger('info');
    const bff = await startTestBff({ log: logs.log, deps: { streams: { heartbeatMs: 100, maxStreamMs: 300 } } });
    try {
      const res = await request(bff.url)
        .post('/api/payments')
        .send({ items: [{ sku: 'kopi-susu', quantity: 1 }] });
      const p = res.body as Payment;
      const s = await openStream(`${bff.url}/api/payments/${p.invoice_number}/events?token=${p.status_token}`);
      await s.event(0);
      assert.equal(await endedWithin(s, 150), false, 'open before its maximum age');
      assert.equal(await endedWithin(s, 1_000), true, 'ended soon after it');
      // An open stream lets go of Express's routing state; its access log line is still whole.
      const logged = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
      assert.ok(
        logged.some(
          (l) => l.path === `/api/payments/${p.invoice_number}/events` && l.status === 200 && l.method === 'GET',
        ),
        'the ended stream is logged with its path and status',
      );
    } finally {
      await bff.close();
    }
  });
});
