// Prometheus metrics: one registry per BFF (never prom-client's global one, so two BFFs in one
// process keep apart), made by the composition root and handed to the parts that count. What hot
// paths do is one increment of a child bound here in advance: no label lookup, no allocation, and
// every label takes values from a closed set. What a scrape reads (deliveries waiting, reconciler
// lag) is collected then, from the store.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PaymentStatus } from '../../shared/api.ts';
import type { GatewayErrorKind } from '../doku/client.ts';
import type { SignatureFailure } from '../doku/verify.ts';
import type { WebhookOutbox } from '../store/types.ts';

const PREFIX = 'linkaja_pay_';

/** Why a notification was refused: its signature's failure, or what the route found after it. */
export type NotificationRefusal = SignatureFailure | 'invalid_body' | 'unknown_invoice' | 'not_stored' | 'unreadable';
const REFUSALS: readonly NotificationRefusal[] = [
  'missing_header',
  'client_id_mismatch',
  'bad_timestamp',
  'malformed_signature',
  'signature_mismatch',
  'invalid_body',
  'unknown_invoice',
  'not_stored',
  'unreadable',
];
export type DokuOperation = 'create_payment' | 'check_status';
export type DokuOutcome = 'ok' | GatewayErrorKind;
const DOKU_OUTCOMES: readonly DokuOutcome[] = ['ok', 'timeout', 'network', 'refused', 'bad_response'];
const FINAL: ReadonlyArray<Exclude<PaymentStatus, 'PENDING'>> = ['SUCCESS', 'FAILED', 'EXPIRED'];

/** What a scrape reads; each part is optional (a BFF without it reports nothing for it). */
export interface ScrapeSources {
  outbox?: Pick<WebhookOutbox, 'counts'>;
  /** Seconds since the oldest order due for a Check Status became due (0: none waiting). */
  reconcileLagSeconds?: () => Promise<number>;
}

/** Bind a counter's children for every label value up front, each exported from 0 on. */
function children<L extends string>(counter: Counter<string>, values: readonly L[]): Record<L, Counter.Internal> {
  const bound = values.map((v) => {
    const child = counter.labels(v);
    child.inc(0);
    return [v, child];
  });
  return Object.fromEntries(bound) as Record<L, Counter.Internal>;
}

export class BffMetrics {
  readonly registry = new Registry();
  private readonly created: Counter.Internal;
  private readonly final: Record<(typeof FINAL)[number], Counter.Internal>;
  private readonly received: Counter.Internal;
  private readonly refused: Record<NotificationRefusal, Counter.Internal>;
  private readonly doku: Record<DokuOperation, Record<DokuOutcome, Histogram.Internal<string>>>;
  private readonly mismatches: Counter.Internal;
  private readonly late: Counter.Internal;
  private sources: ScrapeSources = {};
  /** How many status streams are open (the stream hub's count, read at each scrape). */
  private openStreams: () => number = () => 0;

  constructor() {
    const registers = [this.registry];
    const counter = (name: string, help: string, labelNames: string[] = []) =>
      new Counter({ name: PREFIX + name, help, labelNames, registers });
    this.created = counter('payments_created_total', 'Payments created at DOKU and handed to a customer.').labels();
    this.final = children(
      counter('payments_final_total', 'Payments that reached a final status, by status.', ['status']),
      FINAL,
    );
    this.received = counter('notifications_received_total', "DOKU's HTTP Notifications received.").labels();
    this.refused = children(
      counter('notifications_refused_total', 'Notifications refused, by reason.', ['reason']),
      REFUSALS,
    );
    const histogram = new Histogram({
      name: `${PREFIX}doku_request_duration_seconds`,
      help: 'DOKU API calls (retries included), by operation and outcome.',
      labelNames: ['operation', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const byOutcome = (op: DokuOperation) =>
      Object.fromEntries(
        DOKU_OUTCOMES.map((o) => {
          histogram.zero({ operation: op, outcome: o });
          return [o, histogram.labels(op, o)];
        }),
      ) as Record<DokuOutcome, Histogram.Internal<string>>;
    this.doku = { create_payment: byOutcome('create_payment'), check_status: byOutcome('check_status') };
    this.mismatches = counter(
      'amount_mismatches_total',
      'Reports of another amount than the order: flagged for review, not paid.',
    ).labels();
    this.late = counter(
      'late_payments_total',
      'Orders that became SUCCESS after they were FAILED or EXPIRED (this process; the store keeps them all).',
    ).labels();
    this.scrapeGauges(registers);
  }

  /** Turn on process metrics and say where a scrape reads the rest (once the parts exist). */
  collectFrom(sources: ScrapeSources): void {
    this.sources = sources;
    collectDefaultMetrics({ register: this.registry });
  }

  paymentCreated(): void {
    this.created.inc();
  }
  paymentFinal(status: PaymentStatus): void {
    if (status !== 'PENDING') this.final[status].inc();
  }
  latePayment(): void {
    this.late.inc();
  }
  amountMismatch(): void {
    this.mismatches.inc();
  }
  notificationReceived(): void {
    this.received.inc();
  }
  notificationRefused(reason: NotificationRefusal): void {
    this.refused[reason].inc();
  }
  /** Where a scrape reads the number of open status streams. */
  countStreams(count: () => number): void {
    this.openStreams = count;
  }
  dokuCall(operation: DokuOperation, outcome: DokuOutcome, seconds: number): void {
    this.doku[operation][outcome].observe(seconds);
  }

  private scrapeGauges(registers: Registry[]): void {
    // Arrow functions: prom-client calls collect with the gauge as `this`.
    const sources = () => this.sources;
    const openStreams = () => this.openStreams();
    new Gauge({
      name: `${PREFIX}open_status_streams`,
      help: 'Status event streams open on this instance.',
      registers,
      collect() {
        this.set(openStreams());
      },
    });
    new Gauge({
      name: `${PREFIX}webhook_deliveries`,
      help: "Webhooks to the merchant's backend waiting (queued or being retried) or given up (failed).",
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = await sources()
          .outbox?.counts()
          .catch(() => undefined); // the store is down: this scrape still answers
        if (counts) for (const state of ['pending', 'failed'] as const) this.set({ state }, counts[state]);
      },
    });
    new Gauge({
      name: `${PREFIX}reconcile_lag_seconds`,
      help: 'Age of the oldest due Check Status: how far reconciliation is behind (0: nothing waiting).',
      registers,
      async collect() {
        const lag = await sources()
          .reconcileLagSeconds?.()
          .catch(() => undefined);
        if (lag !== undefined) this.set(lag);
      },
    });
  }
}
