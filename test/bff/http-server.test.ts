// The server's timeouts: a client that trickles its headers or its body is cut off, an idle
// keep-alive connection is closed, and an event stream still lives as long as it likes. Short timeouts
// here; the real ones are SERVER_TIMEOUTS, which the test BFF (like bff/server.ts) listens with.
import assert from 'node:assert/strict';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createHttpServer, SERVER_TIMEOUTS } from '../../bff/http/http-server.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { openStream } from '../helpers/sse.ts';

const SHORT = { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 900, checkIntervalMs: 50 };

/** A raw connection: what it received, and when the server closed it (ms after it opened). */
function rawClient(port: number) {
  const opened = Date.now();
  const socket: Socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8').on('data', (c: string) => (received += c));
  const closedAfter = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - opened)));
  socket.on('error', () => undefined);
  return { socket, closedAfter, received: () => received };
}

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<'still open'>((r) => setTimeout(() => r('still open'), ms))]);

describe('HTTP server timeouts', () => {
  let bff: TestBff;
  let server: ReturnType<typeof createHttpServer>;
  let port: number;
  before(async () => {
    bff = await startTestBff({ deps: { streams: { heartbeatMs: 100 } } });
    server = createHttpServer(bff.app, SHORT);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await bff.close();
  });

  it('are set on purpose on the server the BFF listens with', () => {
    const s = bff.server;
    assert.deepEqual(
      [s.headersTimeout, s.requestTimeout, s.keepAliveTimeout],
      [SERVER_TIMEOUTS.headersTimeoutMs, SERVER_TIMEOUTS.requestTimeoutMs, SERVER_TIMEOUTS.keepAliveTimeoutMs],
    );
    assert.ok(SERVER_TIMEOUTS.keepAliveTimeoutMs > 60_000, "longer than a load balancer's idle timeout");
  });

  it('cuts off a client that trickles its headers (408)', async () => {
    const c = rawClient(port);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const timer = setInterval(() => c.socket.write('X-Slow: 1\r\n'), 100);
    const closed = await within(c.closedAfter, 3_000);
    clearInterval(timer);
    assert.notEqual(closed, 'still open');
    assert.ok((closed as number) < 1_000, `closed after ${closed as number} ms`);
    assert.match(c.received(), /^HTTP\/1\.1 408/);
  });

  it('cuts off a client that trickles its body', async () => {
    const c = rawClient(port);
    c.socket.write(
      'POST /api/notifications/doku HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    );
    const timer = setInterval(() => c.socket.write(' '), 100);
    const closed = await within(c.closedAfter, 3_000);
    clearInterval(timer);
    assert.notEqual(closed, 'still open');
    assert.ok((closed as number) < 1_500, `closed after ${closed as number} ms`);
  });

  it('closes an idle keep-alive connection after its timeout, and not before', async () => {
    const c = rawClient(port);
    const ask = () => c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    ask();
    await new Promise((r) => setTimeout(r, 500)); // idle for longer than the headers timeout
    ask();
    const closed = await within(c.closedAfter, 4_000);
    assert.equal(c.received().match(/HTTP\/1\.1 200/g)?.length, 2, 'the second request on it was answered');
    // Node keeps a second's margin past the timeout it announces.
    const idle = (closed as number) - 500;
    assert.ok(idle >= SHORT.keepAliveTimeoutMs - 100 && idle < SHORT.keepAliveTimeoutMs + 2_000, `idle ${idle} ms`);
  });

  it('lets an event stream live far past the request timeout', async () => {
    const res = await request(bff.url)
      .post('/api/payments')
      .send({ items: [{ sku: 'kopi-susu', quantity: 1 }] });
    const { invoice_number, status_token } = res.body as { invoice_number: string; status_token: string };
    const s = await openStream(`http://127.0.0.1:${port}/api/payments/${invoice_number}/events?token=${status_token}`);
    await s.event(0);
    const ended = await within(s.ended, 3 * SHORT.requestTimeoutMs);
    assert.equal(ended, 'still open');
    assert.ok(s.comments.filter((c) => c === 'heartbeat').length >= 10, 'and kept hearing heartbeats');
    s.close();
  });
});
