// A small real streaming client for text/event-stream: reads the socket as it arrives.
import { get, type IncomingMessage } from 'node:http';

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

export interface SseStream {
  status: number;
  headers: IncomingMessage['headers'];
  events: SseEvent[];
  comments: string[];
  /** Resolves with the n-th event (0-based) once it has arrived; rejects after timeoutMs. */
  event(n: number, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export function openStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      const waiters: Array<() => void> = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const ev: SseEvent = { data: '' };
          let isEvent = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) ev.id = line.slice(4);
            else if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('data: ')) {
              ev.data += line.slice(6);
              isEvent = true;
            }
          }
          if (isEvent) events.push(ev);
          waiters.splice(0).forEach((w) => w());
        }
      });
      const ended = new Promise<void>((r) => res.on('end', r).on('close', r));
      resolve({
        status: res.statusCode!,
        headers: res.headers,
        events,
        comments,
        ended,
        close: () => req.destroy(),
        event(n, timeoutMs = 3000) {
          return new Promise((ok, fail) => {
            const timer = setTimeout(
              () => fail(new Error(`no event #${n} within ${timeoutMs} ms (got ${events.length})`)),
              timeoutMs,
            );
            const check = () => {
              if (events.length > n) {
                clearTimeout(timer);
                ok(events[n]);
              } else waiters.push(check);
            };
            check();
          });
        },
      });
    });
    req.on('error', reject);
  });
}
