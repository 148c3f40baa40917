// Security headers. Pages (the demo shop, the simulator's pages) get helmet's full set; every other
// answer (JSON, the widget bundle, metrics text) gets a fixed set, built once: what a resource that is
// not a document needs. helmet's document-only headers (COOP, Origin-Agent-Cluster, DNS prefetch,
// X-XSS-Protection, ...) do nothing on JSON, and its dozen middlewares were a tenth of a status poll's
// CPU time in a profile.
import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type helmetFn from 'helmet';
import { requireCjs } from '../lib/require-cjs.ts';

const helmet = requireCjs('helmet') as typeof helmetFn;

/** Every non-page answer: never framed, never sniffed as something else, never leaking a Referer. */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cross-Origin-Resource-Policy': 'same-site',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

const API_HEADERS = Object.entries(API_SECURITY_HEADERS);

export function setApiSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of API_HEADERS) res.setHeader(name, value);
}

export const apiSecurityHeaders = (): RequestHandler => (_req, res, next) => {
  setApiSecurityHeaders(res);
  next();
};

/** helmet's full set for HTML pages (it replaces every header of the set above). */
export const pageSecurityHeaders = (): RequestHandler =>
  helmet({
    contentSecurityPolicy: {
      // Our own pages (simulator, demo) post forms that redirect to merchant pages and LinkAja.
      directives: { 'form-action': null },
    },
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
