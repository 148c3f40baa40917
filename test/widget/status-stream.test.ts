// Following a payment through trouble: the BFF's planned end of a stream, a stream the browser closed
// silently (back/forward cache), a stream the BFF refuses, and a status read that never answers.
import { expect } from '@open-wc/testing';
import {
  BFF,
  SHORT_STREAM_BFF,
  decide,
  eventWithin,
  type FetchCall,
  isStatusRead,
  messageOf,
  mount,
  payUntilRedirect,
  REFUSING_BFFS,
  sleep,
  throughFetch,
  watchingEventSources,
  withoutEventSource,
} from './helpers.ts';

type StatusDetail = { invoice_number: string; status: string; amount: number };

afterEach(() => sessionStorage.clear());

const isPending = (d: StatusDetail) => d.status === 'PENDING';

describe('<linkaja-pay> status following', () => {
  it('keeps its event stream when the BFF ends it as planned, and hears the result on the reconnect', async () => {
    await watchingEventSources(async (sources) => {
      const el = await mount({ bff: SHORT_STREAM_BFF, sku: 'sate-ayam' });
      const pending = eventWithin<StatusDetail>(el, 'linkaja-pay:status', 5000, isPending);
      const { redirect } = await payUntilRedirect(el);
      await pending;
      const [source] = sources;
      // This BFF ends every stream after 1 s (retry: 3000); the browser reconnects with Last-Event-ID.
      await eventWithin(source, 'error', 5000);
      expect(source.readyState, 'after the planned end').to.equal(EventSource.CONNECTING);
      await eventWithin(source, 'open', 6000);
      const success = eventWithin<StatusDetail>(el, 'linkaja-pay:success', 8000);
      await decide(messageOf(redirect.detail.redirect), 'pay', SHORT_STREAM_BFF);
      expect((await success).detail.status).to.equal('SUCCESS');
      expect(sources, 'event streams opened').to.have.length(1);
      el.remove();
    });
  });

  it('reopens a stream the browser closed while the page was in the back/forward cache', async () => {
    await watchingEventSources(async (sources) => {
      const el = await mount({ bff: BFF, sku: 'gado-gado' });
      const pending = eventWithin<StatusDetail>(el, 'linkaja-pay:status', 5000, isPending);
      const { redirect } = await payUntilRedirect(el);
      await pending;
      sources[0].close(); // what the browser does on the way into the cache: no error event
      window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
      expect(sources, 'event streams opened').to.have.length(2);
      const success = eventWithin<StatusDetail>(el, 'linkaja-pay:success', 5000);
      await decide(messageOf(redirect.detail.redirect), 'pay');
      expect((await success).detail.status).to.equal('SUCCESS');
      el.remove();
    });
  });

  for (const [status, bff] of Object.entries(REFUSING_BFFS)) {
    it(`a stream the BFF refuses (${status}) still ends in the paid state, by polling`, async () => {
      await watchingEventSources(async (sources) => {
        const el = await mount({ bff, sku: 'sate-ayam' });
        const pending = eventWithin<StatusDetail>(el, 'linkaja-pay:status', 5000, isPending);
        const { redirect } = await payUntilRedirect(el);
        await pending;
        // EventSource cannot read a refusal: it gives up, and the element polls the status instead.
        expect(sources, 'event streams opened').to.have.length(1);
        expect(sources[0].readyState, 'the refused stream').to.equal(EventSource.CLOSED);
        const success = eventWithin<StatusDetail>(el, 'linkaja-pay:success', 8000);
        await decide(messageOf(redirect.detail.redirect), 'pay', bff);
        expect((await success).detail.status).to.equal('SUCCESS');
        el.remove();
      });
    });
  }

  it('gives up on a status read after 20 s, and polling goes on', async () => {
    // The browser's timeout clock, made controllable: the test says when a read's 20 s are up.
    const realTimeout = AbortSignal.timeout;
    const clocks = new Map<AbortSignal, { ms: number; expire(): void }>();
    AbortSignal.timeout = (ms: number) => {
      const c = new AbortController();
      clocks.set(c.signal, { ms, expire: () => c.abort(new DOMException('signal timed out', 'TimeoutError')) });
      return c.signal;
    };
    let hung: { signal?: AbortSignal | null } | undefined;
    // The first status read meets a server that never answers; the next ones the real BFF.
    const handle = (c: FetchCall) => {
      if (!isStatusRead(c) || hung) return c.send();
      const signal = c.init?.signal;
      hung = { signal };
      return new Promise<Response>((_, reject) =>
        signal?.addEventListener('abort', () => reject(signal.reason as Error)),
      );
    };
    try {
      await withoutEventSource(() =>
        throughFetch(handle, async () => {
          const el = await mount({ bff: BFF, sku: 'es-teh-manis', locale: 'en' });
          const error = eventWithin<{ code: string }>(el, 'linkaja-pay:error', 5000);
          const pending = eventWithin<StatusDetail>(el, 'linkaja-pay:status', 5000, isPending);
          await payUntilRedirect(el);
          while (!hung) await sleep(10);
          const clock = hung.signal ? clocks.get(hung.signal) : undefined;
          expect(clock?.ms, 'the status read has a timeout').to.equal(20_000);
          clock!.expire();
          expect((await error).detail.code).to.equal('network_error');
          await pending; // the next read, a second later
          el.remove();
        }),
      );
    } finally {
      AbortSignal.timeout = realTimeout;
    }
  });
});
