// GET /metrics: Prometheus text for operators, behind Bearer METRICS_TOKEN (mounted only with it).
import { Router } from 'express';
import { requireBearer } from '../http/bearer.ts';
import type { Logger } from '../log.ts';
import type { BffMetrics } from '../metrics/metrics.ts';

export function metricsRouter(metrics: BffMetrics, token: string, log: Logger): Router {
  const router = Router();
  router.get('/metrics', requireBearer(token, 'METRICS_TOKEN', log), async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.set('Cache-Control', 'no-store').type(metrics.registry.contentType).send(text);
  });
  return router;
}
