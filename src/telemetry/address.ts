/** Where a small server of duban listens, as its variable gives it: `host:port`, `[v6]:port`, or `off`. */

/** A listening address. */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Reads `host:port` or `[v6]:port` (port 0: a free one), or `off` (undefined); anything else throws naming
 * `variable` and an example.
 */
export function parseListenAddress(text: string, variable: string, example: string): ListenAddress | undefined {
  if (text === 'off') return undefined;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new Error(`invalid configuration: ${variable}: '${text}' is not host:port (e.g. ${example}) or off`);
  return { host: (m[1] ?? m[2])!, port };
}

/** `http://host:port` of a listening address (IPv6 in brackets). */
export function urlOf(address: ListenAddress): string {
  return `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
