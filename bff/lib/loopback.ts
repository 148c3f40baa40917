// "This machine": the hosts on which plain http and the simulator are allowed, because nothing
// crosses a network there. Only what a URL names literally: a name that resolves to 127.0.0.1 does
// not count (its DNS is someone else's).

/** Whether a URL's host is localhost, 127.0.0.0/8 or [::1]. */
export function isLoopbackUrl(url: string | URL): boolean {
  const host = (typeof url === 'string' ? new URL(url) : url).hostname;
  // WHATWG URLs normalise IPv4 (127.1 is 127.0.0.1) and lower-case names.
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
