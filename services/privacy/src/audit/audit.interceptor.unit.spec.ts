import { accessOf } from './audit.interceptor';

const principal = { keyId: 'k-1', name: 'Desk key', role: 'support' as const };
const request = (overrides: Record<string, unknown>) =>
  ({ method: 'GET', url: '/v1/customers/c-1/timeline?limit=5', headers: { 'user-agent': 'desk' }, ip: '10.0.0.9', params: { customerId: 'c-1' }, routeOptions: { url: '/v1/customers/:customerId/timeline' }, principal, ...overrides }) as Parameters<typeof accessOf>[0];

describe('which requests are audited', () => {
  it('a read of one customer’s data: who, which route, the path without its query, from where', () => {
    expect(accessOf(request({}))).toEqual({
      customerId: 'c-1', route: '/v1/customers/:customerId/timeline', method: 'GET', path: '/v1/customers/c-1/timeline',
      actorId: 'k-1', actorName: 'Desk key', role: 'support', via: 'key', ip: '10.0.0.9', userAgent: 'desk',
    });
    expect(accessOf(request({ staffSession: {} }))?.via).toBe('session');
  });

  it('not a search, a write, another route, or an unauthenticated request', () => {
    expect(accessOf(request({ routeOptions: { url: '/v1/customers' }, params: {} }))).toBeUndefined();
    expect(accessOf(request({ method: 'POST', routeOptions: { url: '/v1/customers/:customerId/erasure' } }))).toBeUndefined();
    expect(accessOf(request({ routeOptions: { url: '/v1/segments/:segment/customers' }, params: { segment: 'x' } }))).toBeUndefined();
    expect(accessOf(request({ principal: undefined }))).toBeUndefined();
  });
});
