import { formatMasterKeys, generateMasterKeys, Keyring, parseMasterKeys } from '@rapport/personal-data';
import { startPrivacyTestApp, type PrivacyTestApp } from './support/privacy-app';

jest.setTimeout(120_000);

// As an operator rotates: the old master key stays configured, the new one is current.
const OLD = generateMasterKeys('m-2029');
const BOTH = parseMasterKeys(`${formatMasterKeys(OLD)},${formatMasterKeys(generateMasterKeys('m-2030'))}`, 'm-2030');

describe('master key rotation over HTTP', () => {
  let app: PrivacyTestApp;

  beforeAll(async () => {
    app = await startPrivacyTestApp('privacy_master_keys', { now: '2030-06-01T00:00:00Z', masterKeys: BOTH });
    const before = new Keyring(app.pool, OLD);
    await before.keysFor(['mk-old-1', 'mk-old-2'], true);
    const registered = (customerId: string, n: number) => ({
      id: `55000000-0000-4000-8000-00000000000${n}`,
      type: 'CustomerRegistered',
      customerId,
      occurredAt: '2030-01-01T00:00:00Z',
      source: 'crm',
      data: { email: `${customerId}@example.com`, country: 'GB' },
    });
    const answer = await app.call('POST', '/v1/events/batch', 'emitter', { events: [registered('mk-new', 1)] });
    expect(answer.status).toBe(200);
    await app.privacy.keyring!.destroy('mk-gone');
  });

  afterAll(async () => {
    await app?.close();
  });

  it('shows what awaits a re-wrap, re-wraps it under the current key, and a second re-wrap has nothing left', async () => {
    const status = await app.call('GET', '/v1/admin/master-keys', 'admin');
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ currentMasterKeyId: 'm-2030', configuredMasterKeyIds: ['m-2029', 'm-2030'], wrappedBy: { 'm-2029': 2, 'm-2030': 1 }, awaitingRewrap: 2, destroyed: 1 });

    const rewrap = await app.call('POST', '/v1/admin/master-keys/rewrap', 'admin');
    expect(rewrap.status).toBe(200);
    expect(rewrap.body).toMatchObject({ rewrapped: 2, wrappedBy: { 'm-2030': 3 }, awaitingRewrap: 0, destroyed: 1 });

    expect((await app.call('POST', '/v1/admin/master-keys/rewrap', 'admin')).body).toMatchObject({ rewrapped: 0, awaitingRewrap: 0 });
    // Under the new master key alone, the old customers' keys still open.
    const onlyNew = new Keyring(app.pool, { currentId: 'm-2030', keys: new Map([['m-2030', BOTH.keys.get('m-2030')!]]) });
    const keys = await onlyNew.keysFor(['mk-old-1', 'mk-new'], false);
    expect([...keys.values()].map((key) => key.state)).toEqual(['active', 'active']);
  });

  it('a data key under a master key no longer configured is a 409 naming it, and re-wraps once it is back', async () => {
    const lost = generateMasterKeys('m-lost');
    await new Keyring(app.pool, lost).keysFor(['mk-lost'], true);
    const refused = await app.call('POST', '/v1/admin/master-keys/rewrap', 'admin');
    expect([refused.status, refused.type]).toEqual([409, 'application/problem+json; charset=utf-8']);
    expect(refused.body.detail).toContain("master key 'm-lost', which is not configured");
    const restored = parseMasterKeys(`${formatMasterKeys(BOTH)},${formatMasterKeys(lost)}`, 'm-2030');
    expect(await new Keyring(app.pool, restored).rotate()).toBe(1);
  });

  it('is for admins only', async () => {
    for (const role of ['analyst', 'support', 'emitter'] as const) {
      const answer = await app.call('POST', '/v1/admin/master-keys/rewrap', role);
      expect([answer.status, answer.type]).toEqual([403, 'application/problem+json; charset=utf-8']);
    }
  });
});
