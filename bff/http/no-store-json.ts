// A JSON answer no cache may keep, written straight out. res.json would also hash the body for an ETag
// and check If-None-Match against it, both pointless on a no-store answer and a few percent of a
// status poll's CPU time in a profile. Node's own response: Express's or not.
import type { ServerResponse } from 'node:http';

export function sendNoStoreJson(res: ServerResponse, body: unknown, status = 200): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Cache-Control': 'no-store',
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
