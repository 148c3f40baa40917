// A merchant backend on 127.0.0.1 for the webhook tests: records every delivery attempt.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A merchant backend on 127.0.0.1: records every attempt; answers 200, or what `answer` says. */
export async function startWebhookReceiver() {
  const received: Array<{ body: string; headers: IncomingHttpHeaders; status: number }> = [];
  let answer = (): number => 200;
  const server = createServer((req, res) => {
    let body = '';
    req
      .on('data', (c) => (body += c))
      .on('end', () => {
        const status = answer();
        received.push({ body, headers: req.headers, status });
        res.writeHead(status).end();
      });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    received,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/linkaja`,
    answerWith: (fn: () => number) => (answer = fn),
    /** Waits (bounded) until `n` attempts arrived. */
    async waitFor(n: number, ms = 3000) {
      for (const end = Date.now() + ms; received.length < n && Date.now() < end;)
        await new Promise((r) => setTimeout(r, 10));
      assert.ok(received.length >= n, `expected ${n} attempts, got ${received.length}`);
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
