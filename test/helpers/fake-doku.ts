// A scripted stand-in for DOKU's API, for the failure modes the strict simulator never produces
// (slow answers, 5xx, bad signatures). It is a test double of DOKU, never of our own code.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signedHeaders } from '../../bff/doku/verify.ts';
import { DEMO_CATALOG_FILE } from '../../bff/orders/sources.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Script = (
  req: RecordedRequest,
  n: number,
) => { status: number; body: unknown; sign?: 'ok' | 'wrong-secret' | 'none'; delayMs?: number };

export async function startFakeDoku(opts: { clientId: string; secretKey: string; script: Script }) {
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = {
        method: req.method!,
        path: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(rec);
      const answer = opts.script(rec, requests.length);
      const body = JSON.stringify(answer.body);
      const sign = answer.sign ?? 'ok';
      const headers =
        sign === 'none'
          ? { 'Content-Type': 'application/json' }
          : signedHeaders({
              clientId: opts.clientId,
              secretKey: sign === 'ok' ? opts.secretKey : 'SK-not-the-merchants-key',
              target: rec.path,
              body,
              requestId: String(req.headers['request-id']),
              kind: 'response',
            });
      const timer = setTimeout(() => res.writeHead(answer.status, headers).end(body), answer.delayMs ?? 0);
      res.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    /** A BFF's environment to call this DOKU with its keys (sandbox, the demo catalog). */
    env: {
      DOKU_ENV: 'sandbox',
      CATALOG_FILE: DEMO_CATALOG_FILE,
      DOKU_BASE_URL: url,
      DOKU_CLIENT_ID: opts.clientId,
      DOKU_SECRET_KEY: opts.secretKey,
    },
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** DOKU's answer to a create-payment request, as linkaja-doc.md shows it. */
export function paymentAnswer(requestBody: string) {
  const order = JSON.parse(requestBody).order;
  return {
    order: { invoice_number: order.invoice_number, amount: `${order.amount}.00` },
    emoney_configuration: { identifier: [{ name: 'TERMINAL_ID', value: 'e2etest' }] },
    emoney_payment: {
      redirect_method_http: 'POST',
      redirect_url_http: 'https://linkaja.example/redirectPostToPost',
      redirect_parameter: [{ name: 'Message', value: 'cXAwdzcv+/==' }],
      status: 'PENDING',
    },
  };
}
