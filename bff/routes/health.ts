// Liveness and readiness for operators and load balancers.
import { Router } from 'express';
import type { Store } from '../store/types.ts';

export function healthRouter(store: Store, pingTimeoutMs = 2000): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), pingTimeoutMs);
    });
    try {
      await Promise.race([store.ping(), timeout]);
      res.set('Cache-Control', 'no-store').json({ status: 'ready', store: 'ok' });
    } catch {
      res
        .set('Cache-Control', 'no-store')
        .status(503)
        .json({ error: { code: 'store_unavailable', message: 'The order store is not reachable.' } });
    } finally {
      clearTimeout(timer);
    }
  });
  return router;
}
