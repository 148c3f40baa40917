// One HTTP exchange with DOKU, over node:http(s) with a keep-alive agent per scheme. fetch (undici)
// cost about 0.5 ms more CPU per call, a quarter of what a create payment adds over DOKU's own time
// (measured with a CPU profile of the built server); DOKU is called on every create and check.
import http from 'node:http';
import https from 'node:https';

export interface Exchange {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string | null;
  timeoutMs: number;
}

export interface Answer {
  status: number;
  /** Lower-case names, as Node reads them. */
  headers: Record<string, string>;
  text: string;
}

/** Raised when the whole exchange (connect, send, answer read) took longer than `timeoutMs`. */
export class ExchangeTimeout extends Error {
  override name = 'TimeoutError';
}

/** DOKU's answers are a few kilobytes; one far larger is not DOKU's. */
const MAX_ANSWER_BYTES = 1 << 20;

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/** Send one request and read its whole answer; rejects with the socket's error (its `code`) or ExchangeTimeout. */
export function exchange(url: string, x: Exchange): Promise<Answer> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const agent = agents[target.protocol as keyof typeof agents];
  const headers = x.body === null ? x.headers : { ...x.headers, 'Content-Length': String(Buffer.byteLength(x.body)) };
  return new Promise<Answer>((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new ExchangeTimeout(`no answer within ${x.timeoutMs} ms`)), x.timeoutMs);
    const req = transport.request(target, { method: x.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) fail(new Error(`answer over ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('aborted', () => fail(Object.assign(new Error('answer cut short'), { code: 'ECONNRESET' })));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const answerHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) answerHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({ status: res.statusCode ?? 0, headers: answerHeaders, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', fail);
    req.end(x.body ?? undefined);
  });
}
