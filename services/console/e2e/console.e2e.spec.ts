import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailable, CHROMIUM, customerSlice, eventually, Platform, REPO_ROOT } from './platform';

// Real browser, real platform: Debian's chromium driven by playwright-core against `rapport up`
// with customer 17850's Online Retail invoices imported through the CLI.
const unavailable = browserUnavailable();
if (unavailable) console.log(`console browser suite skipped: ${unavailable}`);
const suite = unavailable ? describe.skip : describe;

const CUSTOMER = '17850';
const EMAIL = 'kim.buyer@example.com';
const DOCS = join(REPO_ROOT, 'services/console/docs');
const AXE = require.resolve('axe-core/axe.min.js');

suite('the console in Chromium', () => {
  let platform: Platform;
  let browser: Browser;
  let scratch: string;
  let expected: { orders: number; netPence: number };

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'rapport-console-data-'));
    platform = await Platform.start();
    const slice = await customerSlice(CUSTOMER, scratch);
    expected = slice;
    const imported = await platform.run(['import', 'online-retail', slice.file]);
    expect(imported.code).toBe(0);
    // A profile with personal fields, so that the analyst's view can be seen to leave them out.
    for (const event of [
      { type: 'CustomerProfileUpdated', data: { email: EMAIL, firstName: 'Kim', lastName: 'Buyer' } },
      { type: 'ConsentChanged', data: { purpose: 'marketing', channel: 'email', granted: true } },
    ]) {
      const stored = await platform.call('POST', '/v1/events', platform.keys.emitter!, {
        id: randomUUID(), customerId: CUSTOMER, occurredAt: '2011-12-09T12:00:00Z', source: 'crm', ...event,
      });
      expect(stored.status).toBe(201);
    }
    await eventually(async () => {
      const profile = await platform.call('GET', `/v1/customers/${CUSTOMER}`, platform.keys.support!);
      const loyalty = await platform.call('GET', `/v1/customers/${CUSTOMER}/loyalty`, platform.keys.support!);
      return profile.body?.orders?.count === expected.orders && profile.body.identity.email === EMAIL && loyalty.status === 200 ? true : undefined;
    }, 'the import to reach the profile and loyalty read models', 90_000);

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await rm(scratch, { recursive: true, force: true });
  }, 60_000);

  async function signedIn(role: 'support' | 'analyst' | 'admin'): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${platform.url}/console/`);
    await page.getByLabel('Email').fill(platform.staff[role].email);
    await page.getByRole('textbox', { name: 'Password' }).fill(platform.staff[role].password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Find a customer' }).waitFor();
    return page;
  }

  async function openCustomer(page: Page): Promise<void> {
    await page.getByLabel('Search customers').fill(CUSTOMER);
    await page.getByRole('link', { name: CUSTOMER, exact: true }).click();
    await page.getByRole('heading', { name: `Customer ${CUSTOMER}` }).waitFor();
    await page.getByTestId('profile-orders').waitFor();
    await page.getByTestId('timeline-entry').first().waitFor();
  }

  async function seriousViolations(page: Page): Promise<string[]> {
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run();
      return result.violations;
    });
    return violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => `${violation.impact} ${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  }

  const money = (pence: number) => `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2 })}`;

  it('refuses a wrong password with a clear message, and the sign-in page has no serious accessibility violation', async () => {
    const page = await browser.newPage();
    await page.goto(`${platform.url}/console/`);
    await page.getByRole('heading', { name: 'Sign in to Rapport' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Email').fill(platform.staff.support.email);
    await page.getByRole('textbox', { name: 'Password' }).fill('certainly not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('The email or password is wrong');
    await page.screenshot({ path: join(DOCS, 'sign-in.png') });
    await page.close();
  }, 60_000);

  it('support: searches 17850 as they type, sees 34 orders, the net spend, consents, loyalty and the timeline', async () => {
    const page = await signedIn('support');
    await page.getByLabel('Search customers').fill(CUSTOMER);
    await page.getByRole('link', { name: CUSTOMER, exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(DOCS, 'search.png') });

    await openCustomer(page);
    expect(expected.orders).toBe(34);
    await expect(page.getByTestId('profile-orders').textContent()).resolves.toBe('34');
    await expect(page.getByTestId('profile-net-spend').textContent()).resolves.toBe(money(expected.netPence));
    await expect(page.getByTestId('profile-email').textContent()).resolves.toBe(EMAIL);
    await page.getByText('marketing by email: granted').waitFor();
    await page.getByTestId('loyalty-tier').waitFor();
    expect(await page.getByTestId('ledger-row').count()).toBeGreaterThan(0);
    expect(await page.getByRole('form', { name: 'Redeem points' }).count()).toBe(1);
    expect(await page.getByRole('form', { name: 'Adjust points (admin)' }).count()).toBe(0);

    // Filter the timeline to orders: only OrderPlaced entries remain.
    await page.getByPlaceholder('All types').click();
    await page.getByRole('option', { name: 'OrderPlaced', exact: true }).click();
    await page.keyboard.press('Escape');
    await eventually(async () => ((await page.getByTestId('timeline-count').textContent()) === '34 entries' ? true : undefined), 'the filtered timeline');
    expect(await page.locator('[data-testid="timeline-entry"]:not([data-type="OrderPlaced"])').count()).toBe(0);
    expect(await page.locator('[data-testid="timeline-entry"][data-type="OrderPlaced"]').count()).toBeGreaterThan(5);

    // Raw event on demand.
    await page.getByRole('button', { name: /^Raw event of OrderPlaced/ }).first().click();
    await expect(page.getByTestId('raw-event').textContent()).resolves.toContain('"type": "OrderPlaced"');
    await page.keyboard.press('Escape');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(DOCS, 'customer-360.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('admin adjusts and support redeems points: the result shows in the ledger and the timeline, a redemption beyond the balance gets a clear 409 message', async () => {
    const admin = await signedIn('admin');
    await openCustomer(admin);
    const adjust = admin.getByRole('form', { name: 'Adjust points (admin)' });
    await adjust.getByLabel('Points (+ or −)').fill('200');
    await adjust.getByLabel('Reason').fill('Goodwill for the e2e test');
    await adjust.getByRole('button', { name: 'Adjust' }).click();
    await adjust.getByText('Adjusted by 200 points.').waitFor();
    await admin.close();

    const before = (await platform.call('GET', `/v1/customers/${CUSTOMER}/loyalty`, platform.keys.support!)).body.available as number;
    const page = await signedIn('support');
    await openCustomer(page);
    await expect(page.getByTestId('loyalty-available').textContent()).resolves.toBe(before.toLocaleString('en-GB'));
    const redeem = page.getByRole('form', { name: 'Redeem points' });
    await redeem.getByLabel('Points to redeem').fill('50');
    await redeem.getByLabel('Reason').fill('Voucher at the till');
    await redeem.getByRole('button', { name: 'Redeem' }).click();
    await redeem.getByText('Redeemed 50 points.').waitFor();
    await eventually(async () => ((await page.getByTestId('loyalty-available').textContent()) === (before - 50).toLocaleString('en-GB') ? true : undefined), 'the new balance');
    // The ledger read model follows a moment later; the panel polls until the movement is there.
    const newest = page.getByTestId('ledger-row').first();
    await eventually(async () => ((await newest.textContent())?.includes('PointsRedeemed') ? true : undefined), 'the redemption in the ledger', 15_000);
    await expect(newest.textContent()).resolves.toContain('Voucher at the till');
    // The timeline shows it live, without a reload.
    await page.locator('[data-testid="timeline-entry"][data-type="PointsRedeemed"]').first().waitFor({ timeout: 30_000 });

    await redeem.getByLabel('Points to redeem').fill('900000');
    await redeem.getByLabel('Reason').fill('Far too much');
    await redeem.getByRole('button', { name: 'Redeem' }).click();
    await expect(redeem.getByRole('alert').textContent()).resolves.toContain(`Not enough points: ${(before - 50).toLocaleString('en-GB')} available, 900,000 requested.`);
    await page.screenshot({ path: join(DOCS, 'loyalty-redeemed.png'), fullPage: true });

    // The admin's adjustment carries the staff id as the event actor.
    const staffList = await platform.call('GET', '/v1/admin/staff', platform.keys.admin!);
    const adminId = (staffList.body as { id: string; role: string }[]).find((account) => account.role === 'admin')!.id;
    const adjusted = await eventually(async () => {
      const timeline = await platform.call('GET', `/v1/customers/${CUSTOMER}/timeline?limit=200`, platform.keys.support!);
      return (timeline.body.entries as { type: string; actor?: unknown }[]).find((entry) => entry.type === 'PointsAdjusted');
    }, 'the adjustment in the timeline');
    expect(adjusted.actor).toEqual({ id: adminId, name: 'Dev Admin' });
    await page.close();
  }, 120_000);

  it('shows an event emitted through the API in the open timeline without a reload, and scrolls on to the last page', async () => {
    const page = await signedIn('support');
    await openCustomer(page);
    await page.getByText('live', { exact: true }).waitFor();
    const stored = await platform.call('POST', '/v1/events', platform.keys.emitter!, {
      id: randomUUID(),
      type: 'MessageSent',
      customerId: CUSTOMER,
      occurredAt: new Date().toISOString(),
      source: 'mailer',
      data: { channel: 'email', direction: 'outbound', subject: 'How was your order?' },
    });
    expect(stored.status).toBe(201);
    await page.locator('[data-testid="timeline-entry"][data-type="MessageSent"]').first().waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('timeline-count').textContent()).resolves.toContain('1 live');

    // Infinite scroll: the first page holds 100 entries; scrolling to the end loads the rest,
    // while the virtualised list keeps only the rows on screen in the DOM.
    // (17850's orders, returns, profile events and loyalty movements make about 150 entries.)
    await expect(page.getByTestId('timeline-count').textContent()).resolves.toMatch(/^101\+ entries/);
    const viewport = page.getByLabel('Timeline entries, newest first');
    await eventually(async () => {
      await viewport.evaluate((element) => element.scrollTo(0, element.scrollHeight));
      const count = (await page.getByTestId('timeline-count').textContent()) ?? '';
      return /^\d+ entries/.test(count) && !count.includes('+') ? count : undefined;
    }, 'every page of the timeline');
    const loaded = Number(/^(\d+)/.exec((await page.getByTestId('timeline-count').textContent())!)![1]);
    expect(loaded).toBeGreaterThan(100);
    expect(await page.getByTestId('timeline-entry').count()).toBeLessThan(60);
    await page.close();
  }, 90_000);

  it('analyst: sees the customer without personal fields and cannot act', async () => {
    const page = await signedIn('analyst');
    await openCustomer(page);
    await page.getByText('Personal fields are hidden for analysts.').waitFor();
    const text = (await page.getByRole('main').textContent()) ?? '';
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain('Kim');
    await expect(page.getByTestId('profile-orders').textContent()).resolves.toBe('34');
    expect(await page.getByRole('form', { name: 'Redeem points' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Raw event/ }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(DOCS, 'analyst-view.png'), fullPage: true });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Rapport' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Rapport' }).waitFor();
    await page.close();
  }, 90_000);

  it('sends a staff member whose session ended back to sign-in, saying why', async () => {
    const created = await platform.call('POST', '/v1/admin/staff', platform.keys.admin!, { email: 'temp@example.com', name: 'Temp Desk', role: 'support' });
    expect(created.status).toBe(201);
    const page = await browser.newPage();
    await page.goto(`${platform.url}/console/`);
    await page.getByLabel('Email').fill('temp@example.com');
    await page.getByRole('textbox', { name: 'Password' }).fill(created.body.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Find a customer' }).waitFor();

    expect((await platform.call('POST', '/v1/admin/staff/temp@example.com/disable', platform.keys.admin!, {})).status).toBe(200);
    await page.getByLabel('Search customers').fill(CUSTOMER);
    await page.getByRole('heading', { name: 'Sign in to Rapport' }).waitFor();
    await expect(page.getByRole('status').filter({ hasText: 'Signed out' }).textContent()).resolves.toContain('The session has ended');
    await page.close();
  }, 60_000);
});
