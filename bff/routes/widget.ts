// Serves the built widget bundles to merchant pages on any origin: compressed once per build
// (brotli or gzip, as the browser accepts), each representation with its own strong ETag.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import { ApiError } from '../http/errors.ts';

export const WIDGET_FILES = ['linkaja-pay.js', 'linkaja-pay.iife.js'] as const;

type Encoding = 'br' | 'gzip' | 'identity';

interface Bundle {
  bodies: Record<Encoding, Buffer>;
  etag: string;
  mtimeMs: number;
  size: number;
}

/** The best encoding the request accepts (q=0 refuses one). */
function negotiate(acceptEncoding: string | undefined): Encoding {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => !q || Number(q.trim().replace(/^q=/, '')) > 0)
      .map(([name]) => name.trim().toLowerCase()),
  );
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return 'identity';
}

/** True if If-None-Match names this ETag (or `*`); weak comparison, as RFC 9110 asks for GET. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

export function widgetRouter(distDir: string): Router {
  const router = Router();
  const cache = new Map<string, Bundle>();

  /** The bundle as it is on disk now: re-read only when a rebuild changed it. */
  async function load(file: string): Promise<Bundle | undefined> {
    const path = join(distDir, file);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const cached = cache.get(file);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached;
    const body = await readFile(path);
    const etag = createHash('sha256').update(body).digest('base64url').slice(0, 32);
    const bodies = {
      identity: body,
      gzip: gzipSync(body, { level: 9 }),
      br: brotliCompressSync(body, {
        params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length },
      }),
    };
    const bundle = { bodies, etag, mtimeMs: info.mtimeMs, size: info.size };
    cache.set(file, bundle);
    return bundle;
  }

  for (const file of WIDGET_FILES) {
    router.get(`/${file}`, async (req: Request, res: Response) => {
      const bundle = await load(file);
      if (!bundle)
        throw new ApiError(
          503,
          'internal_error',
          'The widget bundle has not been built yet; run `npm run build` on the BFF.',
        );
      const encoding = negotiate(req.get('accept-encoding'));
      const etag = encoding === 'identity' ? `"${bundle.etag}"` : `"${bundle.etag}-${encoding}"`;
      res.set({
        'Content-Type': 'text/javascript; charset=utf-8',
        ETag: etag,
        Vary: 'Accept-Encoding',
        ...(encoding === 'identity' ? {} : { 'Content-Encoding': encoding }),
        // The URL is not versioned: a short life, then a cheap 304 revalidation, spreads a new build fast.
        'Cache-Control': 'public, max-age=300, must-revalidate',
        // Merchant pages on other origins load it (a module script is a CORS fetch; SRI needs CORS too).
        'Access-Control-Allow-Origin': '*',
        'Cross-Origin-Resource-Policy': 'cross-origin',
      });
      if (matches(req.get('if-none-match'), etag)) {
        res.status(304).end();
        return;
      }
      res.send(bundle.bodies[encoding]);
    });
  }
  return router;
}
