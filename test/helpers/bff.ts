// Test harness: a real BFF, built by the server's own wiring (createBff), on 127.0.0.1:<random port>
// with the embedded simulator and a real SQLite file in a temp dir (or a store the test gives). Used
// by node tests, wtr and e2e.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleBff, type AssembleOptions, type BffParts } from '../../bff/create-bff.ts';
import type { EventBus } from '../../bff/events/bus.ts';
import { createHttpServer } from '../../bff/http/http-server.ts';
import type { Logger } from '../../bff/log.ts';
import { DEMO_CATALOG_FILE } from '../../bff/orders/sources.ts';
import type { Store } from '../../bff/store/types.ts';
import type { WebhookTiming } from '../../bff/webhooks/merchant-webhook.ts';

export interface TestBff extends BffParts {
  url: string;
  server: Server;
}

export interface TestBffOptions {
  env?: Record<string, string>;
  /** A store opened by the test, with the bus that hears its changes (both or neither). */
  store?: Store;
  bus?: EventBus;
  log?: Logger;
  /** Parts createBff takes from its caller (resolveOrder, rateLimits, streams, a scripted doku). */
  deps?: Pick<AssembleOptions, 'resolveOrder' | 'streams' | 'doku' | 'clock' | 'inProgressWaitMs'>;
  /**
   * Reconciliation as `npm start` runs it (started, on its interval). Otherwise tests call
   * reconciler.tick(now) themselves; `minAgeMs` overrides the configured minimum age; `clock` moves
   * the reconciler's time (e.g. ahead, past orders' expiry) while its loop runs in real time.
   */
  reconcile?: { start?: boolean; minAgeMs?: number; clock?: () => Date };
  /** Merchant webhook timing (backoffMs, pollMs, timeoutMs) when MERCHANT_WEBHOOK_URL is set. */
  webhook?: WebhookTiming;
  /** Options of the embedded simulator (DOKU_ENV=simulator). */
  simulator?: AssembleOptions['simulator'];
}

export async function startTestBff(opts: TestBffOptions = {}): Promise<TestBff> {
  if (!opts.store !== !opts.bus) throw new Error('startTestBff: give a store together with the bus that hears it');
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'linkaja-test-'));
  try {
    const bff = await assembleBff({
      env: {
        PORT: String(port),
        PUBLIC_URL: url,
        DATABASE_URL: `sqlite:${join(dir, 'test.db')}`,
        LOG_LEVEL: 'silent',
        // Tests send many requests from one address; the limits' own tests set theirs.
        RATE_LIMIT_CREATE_PER_MINUTE: '10000',
        RATE_LIMIT_STATUS_PER_MINUTE: '100000',
        RATE_LIMIT_REFUSED_NOTIFICATIONS_PER_MINUTE: '100000',
        MAX_STREAMS_PER_IP: '10000',
        // Outside the simulator the BFF prices nothing without an order source: tests that name none
        // price with the demo catalog.
        ...(opts.env?.CATALOG_FILE || opts.env?.ORDER_TOKEN_SECRET || opts.deps?.resolveOrder
          ? {}
          : { CATALOG_FILE: DEMO_CATALOG_FILE }),
        ...opts.env,
      },
      logger: opts.log,
      database: opts.store && opts.bus ? { store: opts.store, bus: opts.bus } : undefined,
      ...opts.deps,
      reconcile: { start: opts.reconcile?.start ?? false, ...opts.reconcile },
      webhookTiming: opts.webhook,
      simulator: opts.simulator,
    });
    server.on('request', bff.app);
    return {
      ...bff,
      url,
      server,
      async close() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await bff.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    server.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
