import type { IncomingMessage } from 'node:http';
import { pathOf, safeNext } from '../../src/http/transport';

describe('the page to go back to after login (safeNext)', () => {
  it.each([
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '/ /evil.example',
    '/\u00a0/evil.example',
    '/\u2028/evil.example',
    '//evil.example',
    '/\\evil.example',
    '/\\/evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    'evil.example',
    '',
    undefined,
  ])('goes home instead of to %j', (next) => {
    expect(safeNext(next)).toBe('/');
  });

  it('keeps a path of this site, with its query and fragment', () => {
    expect(safeNext('/plans/fj-2017-zwgk/units/fj-fuzhou?done=fulfil#fulfil')).toBe(
      '/plans/fj-2017-zwgk/units/fj-fuzhou?done=fulfil#fulfil',
    );
    // Still encoded, a tab is a path segment of this site, not a way out of it.
    expect(safeNext('/%09/evil.example')).toBe('/%09/evil.example');
    expect(safeNext('/plans/../login')).toBe('/login');
  });
});

describe('the path logs show (pathOf)', () => {
  const path = (url: string) => pathOf({ url } as IncomingMessage);
  it("leaves out the query (feed keys) and a sign-for link's token", () => {
    expect(path('/plans/p/units/u/calendar.ics?key=secret')).toBe('/plans/p/units/u/calendar.ics');
    expect(path('/sign-for/eyJrZXkiOi.abc_DEF-123')).toBe('/sign-for/…');
    expect(path('/api/sign-for/eyJrZXkiOi.abc_DEF-123')).toBe('/api/sign-for/…');
    expect(path('/plans/p/units/u/obligations/o/sign-for')).toBe('/plans/p/units/u/obligations/o/sign-for');
  });
});
