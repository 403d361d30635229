/**
 * A route table compiled once: each route's path pattern becomes one regular expression, and one lookup answers
 * "this route", "this path exists, but not for this method" (405, with the methods it allows) or "no such path".
 *
 * Patterns are absolute paths whose segments are literals or named parameters: `:name` matches one segment,
 * `:name(a|b)` only the listed words; a parameter may share a segment with literal text
 * (`:kind(quarterly|year-end).:format(md|csv)`). Parameters come back percent-decoded.
 */

/** The methods duban answers. HEAD is answered wherever GET is; OPTIONS only for CORS preflights. */
export type Method = 'GET' | 'POST' | 'OPTIONS';

/** What the table needs of a route; the dispatcher's own fields ride along untouched. */
export interface RoutePattern {
  method: Method;
  path: string;
}

/** The result of a lookup. */
export type RouteMatch<R extends RoutePattern> =
  | { kind: 'route'; route: R; params: Record<string, string> }
  | { kind: 'wrong-method'; allow: string[] }
  | { kind: 'none' };

/** A parameter that is not valid percent-encoding; the dispatcher answers 400. */
export class BadPathError extends Error {
  override readonly name = 'BadPathError';
}

interface Compiled<R> {
  route: R;
  regex: RegExp;
  names: string[];
}

const PARAM = /:([A-Za-z][A-Za-z0-9]*)(?:\(([^)]*)\))?/g;
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Turns one pattern into a regular expression and its parameter names; throws on a malformed pattern. */
export function compilePattern(path: string): { regex: RegExp; names: string[] } {
  if (!path.startsWith('/')) throw new Error(`route ${path}: a pattern starts with /`);
  const names: string[] = [];
  let source = '';
  let last = 0;
  for (const m of path.matchAll(PARAM)) {
    const [whole, name, choices] = m;
    source += escapeRegex(path.slice(last, m.index));
    if (names.includes(name!)) throw new Error(`route ${path}: parameter :${name} appears twice`);
    names.push(name!);
    if (choices !== undefined) {
      const words = choices.split('|');
      if (words.some((w) => w === '' || w.includes('/'))) throw new Error(`route ${path}: bad choices in ${whole}`);
      source += `(${words.map(escapeRegex).join('|')})`;
    } else {
      source += '([^/]+)';
    }
    last = m.index + whole.length;
  }
  source += escapeRegex(path.slice(last));
  return { regex: new RegExp(`^${source}$`), names };
}

/** A compiled route table; the first route in table order wins when two match. */
export class RouteTable<R extends RoutePattern> {
  private readonly compiled: Compiled<R>[];

  /** Compiles every pattern; a malformed pattern or a repeated method and path is a programming error. */
  constructor(readonly routes: readonly R[]) {
    const seen = new Set<string>();
    this.compiled = routes.map((route) => {
      const key = `${route.method} ${route.path}`;
      if (seen.has(key)) throw new Error(`route ${key} appears twice in the table`);
      seen.add(key);
      return { route, ...compilePattern(route.path) };
    });
  }

  /** Finds the route for a method and a path (without its query). */
  match(method: string, path: string): RouteMatch<R> {
    const wanted = method === 'HEAD' ? 'GET' : method;
    const allow = new Set<string>();
    for (const c of this.compiled) {
      const m = c.regex.exec(path);
      if (!m) continue;
      if (c.route.method === wanted) {
        const params: Record<string, string> = {};
        c.names.forEach((name, i) => {
          params[name] = decodeParam(m[i + 1]!, name);
        });
        return { kind: 'route', route: c.route, params };
      }
      allow.add(c.route.method);
      if (c.route.method === 'GET') allow.add('HEAD');
    }
    return allow.size ? { kind: 'wrong-method', allow: [...allow].sort() } : { kind: 'none' };
  }
}

function decodeParam(value: string, name: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new BadPathError(`path: bad percent-encoding in :${name}`);
  }
}
