// GET /openapi.json: the document of http/openapi.ts, built on first request and kept.
import { Router } from 'express';
import type { Config } from '../config.ts';
import { openApiDocument } from '../http/openapi.ts';
import { packageVersion } from '../lib/package-version.ts';

export function openApiRouter(config: Pick<Config, 'publicUrl' | 'notificationPath'>): Router {
  const router = Router();
  let document: string | undefined;
  router.get('/openapi.json', (_req, res) => {
    document ??= JSON.stringify(openApiDocument({ ...config, version: packageVersion() }));
    res.set('Cache-Control', 'public, max-age=300').type('application/json').send(document);
  });
  return router;
}
