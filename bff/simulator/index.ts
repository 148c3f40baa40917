// The embedded DOKU simulator: DOKU's LinkAja API (create payment, Check Status), the LinkAja checkout
// page the customer's browser is sent to, and signed HTTP Notifications back to the merchant. It is
// as strict as DOKU (signatures verified over raw bytes, strict bodies, idempotent Request-Ids), so a
// BFF that works against it is built right. State lives in memory: for demos and tests, not money.
import { randomInt } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Response, type Router } from 'express';
import { createLogger, type Logger } from '../log.ts';
import { dokuApiRouter } from './api.ts';
import { dokuError } from './messages.ts';
import { Notifier } from './notifier.ts';
import { alreadyDecidedPage, alreadyUsedPage, checkoutPage, errorPage, PAGE_CSP, PAGE_CSS } from './page.ts';
import { DECISION_STATUS, isDecision, PaymentBook, type Decision, type SimulatedPayment } from './state.ts';

export type { Decision, NotificationAttempt, SimulatedPayment, SimulatedStatus } from './state.ts';

export interface SimulatorOptions {
  clientId: string;
  secretKey: string;
  /** Browser-facing base URL of the simulator (e.g. PUBLIC_URL + '/simulator'): used in redirect_url_http. */
  publicBaseUrl: string;
  /** Shown on the LinkAja page (default 'Merchant'). */
  merchantName?: string;
  /** Used when a request has no additional_info.override_notification_url. */
  notificationUrl?: string;
  /**
   * Origins a payment's notification URL and callback_url may point at. The embedded simulator's
   * credentials are public, so without this anyone could make a deployed demo POST to any address.
   * Absent: any http(s) URL, as DOKU.
   */
  allowedUrlOrigins?: readonly string[];
  /** From bff/log.ts; silent when absent. */
  log?: Logger;
  /** Misbehave on purpose, for merchants' tests of refusal. */
  faults?: {
    /** Sign API answers (create, Check Status) with this key instead of the real one. */
    responseSecretKey?: string;
    /** Sign HTTP Notifications with this key instead of the real one. */
    notificationSecretKey?: string;
  };
  /** Delays of the background notification retries (default 1 s, 5 s, 15 s). */
  notificationRetryDelaysMs?: readonly number[];
  /** Payments kept in memory; the oldest are dropped beyond it (default 10 000). */
  maxPayments?: number;
  /**
   * The same payment's redirect posted again while it is undecided: 'allow' (default) shows the
   * LinkAja page again; 'refuse' shows that the link was already used, with the way back to the shop.
   * Whether LinkAja itself takes a redirect twice is unconfirmed: a shop can test both.
   */
  redirectReuse?: 'allow' | 'refuse';
}

export interface Simulator {
  router: Router;
  /**
   * Decide a payment without a browser (tests): same effect as the page's buttons; resolves after the
   * notification attempt, returning its HTTP status (or an error string). Throws for an unknown
   * invoice or one already decided (a LinkAja payment is decided once).
   */
  decide(invoiceNumber: string, decision: Decision): Promise<{ notificationStatus: number | string }>;
  payment(invoiceNumber: string): SimulatedPayment | undefined;
  /** Every payment it holds, oldest first (tests count DOKU payments made). */
  payments(): SimulatedPayment[];
  /** Cancel pending notification retries. */
  close(): void;
}

const TERMINAL_ID = 'SIMTERMINAL01';

/** What `decide` reports for an expiry: like DOKU, the simulator sends no notification for it. */
export const NO_NOTIFICATION_FOR_EXPIRY = 'not sent: DOKU does not notify an expiry';

/** A masked LinkAja account number, as DOKU shows it in notifications. */
function fakeAccountId(): string {
  return `62812****${String(randomInt(0, 10_000)).padStart(4, '0')}`;
}

function sendPage(res: Response, status: number, html: string): void {
  res
    .status(status)
    .set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' })
    .type('html')
    .send(html);
}

export function createSimulator(opts: SimulatorOptions): Simulator {
  const log = opts.log ?? createLogger({ level: 'silent' });
  const merchantName = opts.merchantName ?? 'Merchant';
  const base = opts.publicBaseUrl.replace(/\/+$/, '');
  const book = new PaymentBook(opts.maxPayments);
  const notifier = new Notifier({
    clientId: opts.clientId,
    secretKey: opts.faults?.notificationSecretKey ?? opts.secretKey,
    log,
    retryDelaysMs: opts.notificationRetryDelaysMs,
  });

  async function applyDecision(p: SimulatedPayment, decision: Decision): Promise<number | string> {
    // The status changes before any await, so two clicks cannot both decide.
    p.status = DECISION_STATUS[decision];
    p.decidedAt = new Date();
    p.accountId = fakeAccountId();
    p.approvalCode = p.status === 'SUCCESS' ? String(randomInt(100_000, 1_000_000)) : '';
    log.info({ invoice: p.invoiceNumber, status: p.status }, 'payment decided');
    // DOKU notifies SUCCESS and FAILED only: an expiry is learnt from Check Status (reconciliation).
    if (p.status === 'EXPIRED') return NO_NOTIFICATION_FOR_EXPIRY;
    return notifier.deliver(p);
  }

  const router = express.Router();
  router.use(
    dokuApiRouter({
      clientId: opts.clientId,
      secretKey: opts.secretKey,
      responseSecretKey: opts.faults?.responseSecretKey ?? opts.secretKey,
      redirectUrl: `${base}/linkaja/pay`,
      terminalId: TERMINAL_ID,
      notificationUrl: opts.notificationUrl,
      allowedUrlOrigins: opts.allowedUrlOrigins,
      book,
      log,
    }),
  );

  // The LinkAja page: reached by the widget's form POST (Message), decided by its own form POST.
  const pages = express.Router();
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });
  const messageOf = (body: unknown): string | undefined => {
    const m = (body as Record<string, unknown> | undefined)?.Message;
    return typeof m === 'string' ? m : undefined;
  };
  const UNKNOWN = 'Pembayaran tidak dikenal. Kembali ke toko dan mulai pembayaran lagi.';

  pages.get('/linkaja/page.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'public, max-age=300').send(PAGE_CSS);
  });

  pages.post('/linkaja/pay', form, (req, res) => {
    const message = messageOf(req.body);
    const p = message === undefined ? undefined : book.byMessageToken(message);
    if (!p) return sendPage(res, 400, errorPage(UNKNOWN));
    if (p.status !== 'PENDING') return sendPage(res, 409, alreadyDecidedPage(p));
    if (p.pageVisits++ > 0 && opts.redirectReuse === 'refuse') return sendPage(res, 409, alreadyUsedPage(p));
    sendPage(res, 200, checkoutPage(p, merchantName));
  });

  pages.post('/linkaja/decide', form, async (req, res) => {
    const message = messageOf(req.body);
    const p = message === undefined ? undefined : book.byMessageToken(message);
    if (!p) return sendPage(res, 400, errorPage(UNKNOWN));
    const decision = (req.body as Record<string, unknown>).decision;
    if (!isDecision(decision))
      return sendPage(res, 400, errorPage('Pilihan tidak dikenal: pilih Bayar, Batalkan atau Biarkan kedaluwarsa.'));
    if (p.status !== 'PENDING') return sendPage(res, 409, alreadyDecidedPage(p));
    await applyDecision(p, decision);
    res.redirect(303, p.request.order.callback_url);
  });

  const pageErrors: ErrorRequestHandler = (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const status = (err as { status?: number }).status;
    if (status === 413) return sendPage(res, 413, errorPage('Permintaan terlalu besar.'));
    if (status !== undefined && status >= 400 && status < 500)
      return sendPage(res, 400, errorPage('Permintaan tidak dapat dibaca.'));
    log.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'simulator page error');
    sendPage(res, 500, errorPage('Terjadi kesalahan pada simulator.'));
  };
  pages.use(pageErrors);
  router.use(pages);

  return {
    router,
    async decide(invoiceNumber, decision) {
      const p = book.byInvoiceNumber(invoiceNumber);
      if (!p) throw new Error(`The simulator has no payment ${invoiceNumber}.`);
      if (p.status !== 'PENDING') throw new Error(`Payment ${invoiceNumber} was already decided (${p.status}).`);
      return { notificationStatus: await applyDecision(p, decision) };
    },
    payment: (invoiceNumber) => book.byInvoiceNumber(invoiceNumber),
    payments: () => book.all(),
    close: () => notifier.close(),
  };
}

export interface StartedSimulator {
  /** Base URL of the simulator: use it as the DOKU base URL (DOKU_BASE_URL). */
  url: string;
  simulator: Simulator;
  close(): Promise<void>;
}

/** Standalone, for merchants' own tests: listens on host (default 127.0.0.1) and port (default 0). */
export async function startSimulator(
  opts: Omit<SimulatorOptions, 'publicBaseUrl'> & { port?: number; host?: string },
): Promise<StartedSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  // A wildcard address is not somewhere a browser can go: name the loopback instead.
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  const simulator = createSimulator({ ...opts, publicBaseUrl: url });

  const app = express();
  app.disable('x-powered-by');
  app.use(simulator.router);
  app.use((_req, res) => {
    res.status(404).json(dokuError('not_found', 'No such route on the DOKU simulator.', 'invalid_request'));
  });
  server.on('request', app);

  return {
    url,
    simulator,
    async close() {
      simulator.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
