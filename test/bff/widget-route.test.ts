// GET /linkaja-pay.js and /linkaja-pay.iife.js: the built widget for merchant pages on any origin.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../bff/http/errors.ts';
import { createLogger } from '../../bff/log.ts';
import { widgetRouter } from '../../bff/routes/widget.ts';

describe('widget route', () => {
  let dir: string;
  let app: express.Express;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'linkaja-widget-'));
    writeFileSync(join(dir, 'linkaja-pay.js'), 'export const v=1;');
    app = express()
      .use(widgetRouter(dir))
      .use(errorHandler(createLogger({ level: 'silent' })));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the bundle as JavaScript, cacheable, loadable from other origins, with a strong ETag', async () => {
    const res = await request(app).get('/linkaja-pay.js').set('Origin', 'https://shop.example');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'export const v=1;');
    assert.match(res.headers['content-type'], /^text\/javascript; charset=utf-8$/);
    assert.match(res.headers.etag, /^"[A-Za-z0-9_-]{32}(-gzip|-br)?"$/);
    assert.equal(res.headers['cache-control'], 'public, max-age=300, must-revalidate');
    assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.equal(res.headers['access-control-allow-origin'], '*');
  });

  it('answers 304 to If-None-Match (also a weak or listed tag), and a new ETag after a rebuild', async () => {
    const first = await request(app).get('/linkaja-pay.js');
    const etag = first.headers.etag;
    for (const tag of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await request(app).get('/linkaja-pay.js').set('If-None-Match', tag);
      assert.equal(res.status, 304, tag);
      assert.equal(res.text, '');
    }
    assert.equal((await request(app).get('/linkaja-pay.js').set('If-None-Match', '"stale"')).status, 200);

    writeFileSync(join(dir, 'linkaja-pay.js'), 'export const v=22;');
    const rebuilt = await request(app).get('/linkaja-pay.js').set('If-None-Match', etag);
    assert.equal(rebuilt.status, 200);
    assert.equal(rebuilt.text, 'export const v=22;');
    assert.notEqual(rebuilt.headers.etag, etag);
  });

  it('sends it brotli- or gzip-compressed as the browser accepts, each with its own ETag', async () => {
    const big = `export const s=${JSON.stringify('Bayar dengan LinkAja. '.repeat(400))};`;
    writeFileSync(join(dir, 'linkaja-pay.js'), big);
    const tags = new Set<string>();
    for (const [accept, encoding] of [
      ['gzip, deflate, br', 'br'],
      ['gzip', 'gzip'],
      ['br;q=0, gzip', 'gzip'],
      ['identity', undefined],
      ['', undefined],
    ] as const) {
      const req = request(app).get('/linkaja-pay.js');
      const res = await req.set('Accept-Encoding', accept ?? ''); // supertest decodes gzip and br itself
      assert.equal(res.status, 200, accept);
      assert.equal(res.headers['content-encoding'], encoding, accept);
      assert.equal(res.headers.vary, 'Accept-Encoding');
      assert.equal(res.text, big, 'decodes to the very bundle');
      if (encoding) assert.ok(Number(res.headers['content-length'] ?? Infinity) < big.length / 5, 'compressed');
      tags.add(res.headers.etag);
      const again = await request(app)
        .get('/linkaja-pay.js')
        .set('Accept-Encoding', accept)
        .set('If-None-Match', res.headers.etag);
      assert.equal(again.status, 304);
    }
    assert.equal(tags.size, 3, 'br, gzip and identity each have their own ETag');
  });

  it('answers 503 JSON when the bundle has not been built', async () => {
    const res = await request(app).get('/linkaja-pay.iife.js');
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, 'internal_error');
    assert.match(res.body.error.message, /npm run build/);
    // Not the bundle's long cache: an error answer is never kept.
    assert.equal(res.headers['cache-control'], 'no-store');
  });
});
