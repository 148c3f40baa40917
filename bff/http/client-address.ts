// The client's address, for per-address limits and caps: the socket's peer, or, behind TRUST_PROXY
// reverse proxies, the address the nearest untrusted hop gave in X-Forwarded-For (as Express's
// `trust proxy` with a hop count reads it). Node's own request, so the routes answered ahead of
// Express's routing read it the same way as those behind it.
import type { IncomingMessage } from 'node:http';
import type proxyaddrFn from 'proxy-addr';
import { requireCjs } from '../lib/require-cjs.ts';

const proxyaddr = requireCjs('proxy-addr') as typeof proxyaddrFn;

export type ClientAddress = (req: IncomingMessage) => string;

export function clientAddress(trustedHops: number): ClientAddress {
  const trust = (_address: string, hop: number) => hop < trustedHops;
  // A socket already closed has no peer address left to read.
  return (req) => (req.socket.remoteAddress === undefined ? 'unknown' : proxyaddr(req, trust));
}
