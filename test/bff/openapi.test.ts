// GET /openapi.json: a valid OpenAPI 3.1 document (checked by an OpenAPI schema validator), and in
// step with the app: every documented route exists in the Express app, and every route the app has
// is documented (the app's router stack walked, and the routes it answers ahead of its routing; the
// simulator and demo shop are not the BFF's API).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { directRoutesOf } from '../../bff/http/direct-routes.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  rawPath?: string;
  handle?: { stack?: Layer[] };
}

/** "METHOD /path/{param}" for every route of a router stack, mount paths included. */
function routesOf(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = (prefix + layer.route.path).replace(/:(\w+)/g, '{$1}');
      return Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${path}`);
    }
    if (!layer.handle?.stack) return [];
    const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
    return routesOf(layer.handle.stack, prefix + mount);
  });
}

describe('GET /openapi.json', () => {
  let bff: TestBff;
  let doc: { openapi: string; paths: Record<string, Record<string, unknown>>; webhooks: Record<string, unknown> };
  before(async () => {
    // Every optional part on (server API, metrics), a notification path of the merchant's own, and
    // no simulator or demo shop (not part of the BFF's API). DOKU itself is never called here.
    bff = await startTestBff({
      env: {
        DOKU_ENV: 'sandbox',
        DOKU_BASE_URL: 'http://127.0.0.1:9',
        DOKU_CLIENT_ID: 'BRN-0001-1234567890123',
        DOKU_SECRET_KEY: 'SK-openapi-test-secret-0123456789',
        NOTIFICATION_PATH: '/hooks/doku-notify',
        MERCHANT_API_KEY: 'k'.repeat(40),
        METRICS_TOKEN: 'm'.repeat(40),
      },
    });
    const res = await request(bff.url).get('/openapi.json');
    assert.equal(res.status, 200);
    assert.match(String(res.get('content-type')), /^application\/json/);
    doc = res.body as typeof doc;
  });
  after(() => bff.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    assert.equal(doc.openapi, '3.1.0');
    type Spec = Parameters<Validator['validate']>[0];
    const result = await new Validator().validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    // The validator does refuse a broken document (so the check above can fail).
    const broken = { ...doc, paths: { '/x': { get: { responses: { '200': { content: 'text' } } } } } };
    assert.equal((await new Validator().validate(broken as unknown as Spec)).valid, false);
  });

  it('documents every route the app has, and nothing it does not have', () => {
    // Guards on wildcard paths (rate limits, the JSON check) are middleware, not endpoints.
    const app = bff.app as unknown as { router: { stack: Layer[] } };
    const direct = directRoutesOf(bff.app).map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    assert.ok(direct.includes('GET /api/payments/{invoice}'), 'the status poll, answered ahead of the routing');
    const routes = new Set([...routesOf(app.router.stack).filter((r) => !r.includes('*')), ...direct]);
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    assert.ok(routes.has('POST /hooks/doku-notify'), 'the notification route at its configured path');
    assert.deepEqual(
      [...routes].filter((r) => !documented.has(r)),
      [],
      'routes the document does not describe',
    );
    assert.deepEqual(
      [...documented].filter((r) => !routes.has(r)),
      [],
      'documented routes the app does not have',
    );
    assert.ok(routes.size >= 15, `the walk found ${routes.size} routes`);
  });

  it("describes the webhooks the merchant's backend receives, with the Standard Webhooks headers", () => {
    assert.deepEqual(Object.keys(doc.webhooks).sort(), ['payment.expired', 'payment.failed', 'payment.succeeded']);
    const post = (doc.webhooks['payment.succeeded'] as { post: { parameters: Array<{ name: string }> } }).post;
    assert.deepEqual(post.parameters.map((p) => p.name).sort(), [
      'webhook-id',
      'webhook-signature',
      'webhook-timestamp',
    ]);
  });
});
