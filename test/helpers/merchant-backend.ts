// A merchant's backend on 127.0.0.1 that takes the BFF's webhooks: each one verified by the
// standardwebhooks library itself (what a merchant's PHP, Python or Go backend does with its
// ecosystem's library), never by the BFF's own code.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { WebhookPayload } from '../../shared/server-api.ts';

export interface ReceivedWebhook {
  id: string;
  payload: WebhookPayload;
}

export async function startMerchantBackend(secret = `whsec_${randomBytes(32).toString('base64')}`) {
  const received: ReceivedWebhook[] = [];
  const refused: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      try {
        const payload = new Webhook(secret).verify(body, req.headers as Record<string, string>) as WebhookPayload;
        received.push({ id: String(req.headers['webhook-id']), payload });
        res.writeHead(204).end();
      } catch (err) {
        refused.push((err as Error).message);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    secret,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/linkaja`,
    received,
    refused,
    /** Waits (bounded) until `n` webhooks of `invoice` arrived, and returns them in arrival order. */
    async waitFor(invoice: string, n = 1, ms = 5000): Promise<ReceivedWebhook[]> {
      const of = () => received.filter((w) => w.payload.data.invoice_number === invoice);
      for (const end = Date.now() + ms; of().length < n && Date.now() < end;)
        await new Promise((r) => setTimeout(r, 10));
      assert.ok(
        of().length >= n,
        `expected ${n} webhooks for ${invoice}, got ${of().length} (refused: ${refused.join('; ')})`,
      );
      return of();
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
