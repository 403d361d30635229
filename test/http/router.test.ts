/** The route table alone: patterns with named and constrained parameters, 405 with the methods allowed, 404. */
import { BadPathError, compilePattern, RouteTable } from '../../src/http/router';

const table = new RouteTable([
  { method: 'GET', path: '/api/plans/:plan/incidents', name: 'list' },
  { method: 'POST', path: '/api/plans/:plan/units/:unit/incidents', name: 'report' },
  { method: 'GET', path: '/api/plans/:plan/units/:unit/incidents', name: 'unit-list' },
  { method: 'POST', path: '/api/plans/:plan/incidents/:incident/done', name: 'done' },
  { method: 'POST', path: '/api/plans/:plan/units/:unit/obligations/:obligation/:action(fulfil|extend)', name: 'act' },
  { method: 'GET', path: '/plans/:plan/reports/:kind(quarterly|year-end).:format(md|csv)', name: 'report-file' },
] as const);

describe('route table', () => {
  it('finds a route and decodes its named parameters', () => {
    const m = table.match('POST', '/api/plans/fj-2017/incidents/flood%2D1/done');
    expect(m.kind === 'route' && [m.route.name, m.params]).toEqual(['done', { plan: 'fj-2017', incident: 'flood-1' }]);
    const unit = table.match('POST', '/api/plans/p/units/fj-czt/obligations/implementation-plan/extend');
    expect(unit.kind === 'route' && unit.params).toEqual({
      plan: 'p',
      unit: 'fj-czt',
      obligation: 'implementation-plan',
      action: 'extend',
    });
    const file = table.match('GET', '/plans/p/reports/year-end.csv');
    expect(file.kind === 'route' && file.params).toEqual({ plan: 'p', kind: 'year-end', format: 'csv' });
  });

  it('answers HEAD wherever GET is', () => {
    const m = table.match('HEAD', '/api/plans/p/incidents');
    expect(m.kind === 'route' && m.route.name).toBe('list');
  });

  it('tells a known path with the wrong method (with every method it allows) from an unknown path', () => {
    expect(table.match('GET', '/api/plans/p/incidents/x/done')).toEqual({ kind: 'wrong-method', allow: ['POST'] });
    expect(table.match('DELETE', '/api/plans/p/units/fj-czt/incidents')).toEqual({
      kind: 'wrong-method',
      allow: ['GET', 'HEAD', 'POST'],
    });
    expect(table.match('POST', '/api/plans/p/units/fj-czt/obligations/x/waive')).toEqual({ kind: 'none' });
    expect(table.match('GET', '/plans/p/reports/year-end.pdf')).toEqual({ kind: 'none' });
    expect(table.match('GET', '/api/plans/p/incidents/')).toEqual({ kind: 'none' });
    expect(table.match('GET', '/api/plans/p/a/b/incidents')).toEqual({ kind: 'none' });
  });

  it('refuses a parameter that is not valid percent-encoding', () => {
    expect(() => table.match('POST', '/api/plans/p/incidents/%E0%A4%A/done')).toThrow(BadPathError);
  });

  it('refuses a malformed table when it is built', () => {
    expect(
      () =>
        new RouteTable([
          { method: 'GET', path: '/a/:x' },
          { method: 'GET', path: '/a/:x' },
        ]),
    ).toThrow('appears twice');
    expect(() => compilePattern('/a/:x/:x')).toThrow('parameter :x appears twice');
    expect(() => compilePattern('a/b')).toThrow('starts with /');
    expect(compilePattern('/a.b/:c').regex.test('/aXb/c')).toBe(false);
  });
});
