// The HTTP server the BFF listens with (bff/serve.ts, and the tests through startTestBff), with its
// timeouts set on purpose rather than left at Node's defaults.
import { createServer, type RequestListener, type Server } from 'node:http';

export interface ServerTimeouts {
  /**
   * A client has this long to send its request headers. A phone sends them in one packet; a client
   * that trickles them (slowloris) would otherwise hold a socket for a minute (Node's default).
   */
  headersTimeoutMs: number;
  /**
   * A client has this long to send its whole request. It covers receiving the request only, never the
   * response, so an event stream (a GET, complete once its headers are in) lives as long as it likes;
   * the largest body (a 64 kB notification) arrives well within it even over a poor mobile link.
   */
  requestTimeoutMs: number;
  /**
   * An idle keep-alive connection is closed after this long (announced as Keep-Alive: timeout=65; Node
   * keeps a second's margin). Longer than the idle timeout of the load balancers in front of us (60 s
   * on common ones), so they close first: a server that closes a connection a balancer is reusing
   * gets it a 502.
   */
  keepAliveTimeoutMs: number;
  /** How often Node looks for requests past those timeouts (tests shorten it). */
  checkIntervalMs: number;
}

export const SERVER_TIMEOUTS: ServerTimeouts = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  checkIntervalMs: 5_000,
};

export function createHttpServer(app?: RequestListener, timeouts: ServerTimeouts = SERVER_TIMEOUTS): Server {
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
    app,
  );
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  return server;
}
