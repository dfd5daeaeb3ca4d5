import { mkdir, mkdtemp, rm } from 'node:fs/promises';
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
// 17850's first invoice in the file.
const FIRST_ORDER = '536365';
const EMAIL = 'kim.buyer@example.com';
// Screenshots go to a scratch folder, so a test run leaves the checkout clean; CONSOLE_SCREENSHOTS=docs
// writes the README's own (services/console/docs) when the UI changed.
const DOCS = process.env.CONSOLE_SCREENSHOTS === 'docs' ? join(REPO_ROOT, 'services/console/docs') : join(tmpdir(), 'rapport-console-screenshots');
const AXE = require.resolve('axe-core/axe.min.js');

suite('the console in Chromium', () => {
  let platform: Platform;
  let browser: Browser;
  let scratch: string;
  let expected: { orders: number; netPence: number };

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'rapport-console-data-'));
    await mkdir(DOCS, { recursive: true });
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
    // The count is known before the virtualised list has drawn the filtered rows.
    const orderRows = page.locator('[data-testid="timeline-entry"][data-type="OrderPlaced"]');
    await eventually(async () => ((await orderRows.count()) > 5 ? true : undefined), 'the filtered rows drawn');
    expect(await page.locator('[data-testid="timeline-entry"]:not([data-type="OrderPlaced"])').count()).toBe(0);

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

  // Cases: an old complaint and a callback reach the platform through ingest, as an outside system
  // files them; the fresh complaint is filed from the console, which derives its id.
  const OVERDUE = 'cmp-e2e-overdue';
  let FRESH = '';
  const CALLBACK = 'cb-e2e-1';
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

  async function emit(type: string, occurredAt: string, data: Record<string, unknown>): Promise<void> {
    const stored = await platform.call('POST', '/v1/events', platform.keys.emitter!, { id: randomUUID(), type, customerId: CUSTOMER, occurredAt, source: 'helpdesk', data });
    expect(stored).toMatchObject({ status: 201 });
  }

  const available = async (page: Page) => Number(((await page.getByTestId('loyalty-available').textContent()) ?? '').replace(/,/g, ''));
  const pending = async (page: Page) => Number(((await page.getByTestId('loyalty-pending').textContent()) ?? '').replace(/,/g, ''));

  it('support files a complaint and resolves it with points from the customer page: points in the loyalty panel and the timeline, a clear 409 for a case changed meanwhile', async () => {
    await emit('ComplaintFiled', daysAgo(10), { complaintId: OVERDUE, category: 'delivery', severity: 'critical', channel: 'email', summary: 'The parcel never came' });
    await emit('CallbackRequested', new Date().toISOString(), { callbackId: CALLBACK, reason: 'Wants to talk about the refund', phone: '+447700900123', preferredWindow: { from: '09:00', to: '17:00' } });
    await eventually(async () => {
      const cases = await platform.call('GET', `/v1/cases?customerId=${CUSTOMER}`, platform.keys.support!);
      return cases.body?.items?.length === 2 ? true : undefined;
    }, 'the cases read model');

    const page = await signedIn('support');
    await openCustomer(page);
    const overdue = page.locator(`[data-case-id="complaint-${OVERDUE}"]`);
    await overdue.waitFor();
    await page.getByRole('heading', { name: 'Open cases (2)' }).waitFor();

    // File a complaint about one of the customer's orders from the page.
    await page.getByRole('button', { name: 'File a complaint' }).click();
    const filing = page.getByRole('form', { name: `File a complaint for customer ${CUSTOMER}` });
    await filing.getByLabel('What the customer says').fill('A chipped mug');
    // Without a category the form says so and files nothing.
    await filing.getByRole('button', { name: 'File complaint' }).click();
    await filing.getByText('Choose a category', { exact: true }).waitFor();
    await filing.getByRole('combobox', { name: 'Category' }).click();
    await page.getByRole('option', { name: 'product', exact: true }).click();
    await filing.getByRole('combobox', { name: 'Severity' }).click();
    await page.getByRole('option', { name: 'low', exact: true }).click();
    await filing.getByRole('combobox', { name: 'Received by' }).click();
    await page.getByRole('option', { name: 'web', exact: true }).click();
    await filing.getByLabel('Order number').fill(FIRST_ORDER);
    await filing.getByRole('button', { name: 'File complaint' }).click();
    const filed = (await page.getByTestId('case-result').filter({ hasText: /^Filed complaint cmp-/ }).textContent({ timeout: 15_000 })) ?? '';
    FRESH = /^Filed complaint (cmp-[\w-]+)\.$/.exec(filed)?.[1] ?? '';
    expect(FRESH).toMatch(/^cmp-/);
    const fresh = page.locator(`[data-case-id="complaint-${FRESH}"]`);
    await fresh.waitFor({ timeout: 15_000 });
    await page.getByRole('heading', { name: 'Open cases (3)' }).waitFor();
    await expect(fresh.textContent()).resolves.toContain('product · web');
    await page.locator('[data-testid="timeline-entry"][data-type="ComplaintFiled"]').filter({ hasText: 'A chipped mug' }).waitFor({ timeout: 15_000 });
    const filedCase = await platform.call('GET', `/v1/cases/complaint-${FRESH}`, platform.keys.support!);
    expect(filedCase.body).toMatchObject({ customerId: CUSTOMER, category: 'product', severity: 'low', channel: 'web', status: 'open' });
    const filing0 = (filedCase.body.history as { type: string; data: Record<string, unknown> }[])[0]!;
    expect(filing0).toMatchObject({ type: 'ComplaintFiled', data: { complaintId: FRESH, orderId: FIRST_ORDER, summary: 'A chipped mug' } });

    // SLA countdowns: the ten-day-old critical complaint is overdue, the fresh one still has time.
    await expect(overdue.getByTestId('sla-countdown').textContent()).resolves.toMatch(/^first response overdue by /);
    await expect(fresh.getByTestId('sla-countdown').textContent()).resolves.toMatch(/^first response due in /);

    // Someone else escalates the overdue complaint behind this page's back: escalating it again from
    // the stale page is a 409 with a clear message, and the list reloads.
    const escalatedElsewhere = await fetch(`${platform.url}/v1/complaints/${OVERDUE}/escalations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.keys.support!}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ level: 1, reason: 'Critical and late' }),
    });
    expect(escalatedElsewhere.status).toBe(201);
    await overdue.getByRole('tab', { name: 'Escalate' }).click();
    const stale = page.getByRole('form', { name: `Escalate complaint ${OVERDUE}` });
    await stale.getByRole('button', { name: 'Escalate' }).click();
    const conflict = (await stale.getByRole('alert').textContent()) ?? '';
    expect(conflict).toContain('Someone else changed this case first');
    expect(conflict).toContain('it is already at level 1');
    await overdue.getByText('escalated to level 1').waitFor();

    // Respond, assign to oneself, then resolve with 150 points.
    await fresh.getByRole('tab', { name: 'Respond' }).click();
    await page.getByRole('form', { name: `Respond to complaint ${FRESH}` }).getByLabel('Message to the customer').fill('Sorry about the mug, we are on it.');
    await page.getByRole('form', { name: `Respond to complaint ${FRESH}` }).getByRole('button', { name: 'Send response' }).click();
    await page.getByTestId('case-result').filter({ hasText: `Responded to complaint ${FRESH}.` }).waitFor();
    await eventually(async () => ((await fresh.getByTestId('case-status').textContent()) === 'responded' ? true : undefined), 'the responded status');
    await fresh.getByRole('tab', { name: 'Assign' }).click();
    await page.getByRole('form', { name: `Assign complaint ${FRESH}` }).getByRole('button', { name: 'Assign' }).click();
    await eventually(async () => ((await fresh.textContent())?.includes('assigned to ') ? true : undefined), 'the assignee on the case');

    const before = (await available(page)) + (await pending(page));
    await fresh.getByRole('tab', { name: 'Resolve' }).click();
    const resolve = page.getByRole('form', { name: `Resolve complaint ${FRESH}` });
    await resolve.getByLabel('Resolution').fill('Replacement mug sent');
    await resolve.getByLabel('Compensation points').fill('150');
    await resolve.getByRole('button', { name: 'Resolve complaint' }).click();
    await page.getByTestId('case-result').filter({ hasText: `Resolved complaint ${FRESH} with 150 compensation points.` }).waitFor();
    await eventually(async () => ((await fresh.count()) === 0 ? true : undefined), 'the resolved complaint to leave the open cases');
    // The loyalty service awards the points; the panel follows without a reload.
    await eventually(async () => ((await available(page)) + (await pending(page)) === before + 150 ? true : undefined), 'the goodwill points in the loyalty panel', 30_000);
    await page.getByTestId('ledger-row').filter({ hasText: /PointsEarned.*goodwill/ }).first().waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="timeline-entry"][data-type="ComplaintResolved"]').filter({ hasText: `Complaint ${FRESH} resolved` }).waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="timeline-entry"][data-type="PointsEarned"]').filter({ hasText: 'Earned 150 points — goodwill' }).waitFor({ timeout: 30_000 });

    // The callback: schedule it, then record the call.
    const callback = page.locator(`[data-case-id="callback-${CALLBACK}"]`);
    await callback.getByRole('tab', { name: 'Schedule' }).click();
    const schedule = page.getByRole('form', { name: `Schedule callback ${CALLBACK}` });
    await schedule.getByLabel('Call at (your local time)').fill(new Date(Date.now() + 86_400_000).toISOString().slice(0, 16));
    await schedule.getByRole('button', { name: 'Schedule' }).click();
    await page.getByTestId('case-result').filter({ hasText: `Scheduled callback ${CALLBACK} for` }).waitFor();
    await eventually(async () => ((await callback.getByTestId('case-status').textContent()) === 'scheduled' ? true : undefined), 'the scheduled status');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(DOCS, 'cases.png'), fullPage: true });
    await callback.getByRole('tab', { name: 'Complete' }).click();
    await page.getByRole('form', { name: `Complete callback ${CALLBACK}` }).getByRole('button', { name: 'Record the call' }).click();
    await page.getByTestId('case-result').filter({ hasText: `Completed callback ${CALLBACK}: resolved.` }).waitFor();
    await eventually(async () => ((await callback.count()) === 0 ? true : undefined), 'the completed callback to leave the open cases');
    await page.getByRole('heading', { name: 'Open cases (1)' }).waitFor();

    // The staff actions carry the support account's staff id as the event actor.
    const supportId = ((await platform.call('GET', '/v1/admin/staff', platform.keys.admin!)).body as { id: string; role: string }[]).find((account) => account.role === 'support')!.id;
    const details = await platform.call('GET', `/v1/cases/complaint-${FRESH}`, platform.keys.support!);
    expect(details.body.status).toBe('resolved');
    expect(details.body.assigneeId).toBe(supportId);
    const resolution = (details.body.history as { type: string; actor: { id: string } | null; data: { compensationPoints?: number } }[]).find((event) => event.type === 'ComplaintResolved')!;
    expect(resolution.actor?.id).toBe(supportId);
    expect(resolution.data.compensationPoints).toBe(150);
    await page.close();
  }, 180_000);

  it('the work queue lists cases due soonest first, breached ones in red, with filters by kind, status and assignee', async () => {
    await emit('ComplaintFiled', daysAgo(8), { complaintId: 'cmp-e2e-queue', category: 'billing', severity: 'high', channel: 'phone', summary: 'Charged twice' });
    await emit('ComplaintFiled', new Date().toISOString(), { complaintId: 'cmp-e2e-queue-2', category: 'website', severity: 'low', channel: 'web', summary: 'Cannot log in' });
    await eventually(async () => {
      const cases = await platform.call('GET', '/v1/cases?kind=complaint&status=open', platform.keys.support!);
      return cases.body?.items?.length === 2 ? true : undefined;
    }, 'the new complaints in the cases read model');
    const page = await signedIn('support');
    await page.getByRole('link', { name: 'Work queue' }).click();
    await page.getByRole('heading', { name: 'Work queue' }).waitFor();
    const rows = page.getByTestId('queue-row');
    await eventually(async () => ((await page.locator('[data-case-id="complaint-cmp-e2e-queue-2"]').count()) === 1 ? true : undefined), 'the new complaints in the queue');
    // Open cases only: the overdue one comes first and is red; closed cases (no running clock) come last.
    await page.getByPlaceholder('All statuses').click();
    await page.getByRole('option', { name: 'open', exact: true }).click();
    await eventually(async () => ((await rows.count()) === 2 ? true : undefined), 'the open filter');
    await expect(rows.nth(0).getAttribute('data-case-id')).resolves.toBe('complaint-cmp-e2e-queue');
    await expect(rows.nth(0).getAttribute('data-breached')).resolves.toBe('true');
    await expect(rows.nth(1).getAttribute('data-breached')).resolves.toBe('false');
    await expect(rows.nth(0).textContent()).resolves.toContain('overdue by');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(DOCS, 'queue.png'), fullPage: true });

    // By kind: callbacks only (the completed one from the previous test).
    await page.getByPlaceholder('All statuses').click();
    await page.getByRole('option', { name: 'completed', exact: true }).click();
    await page.getByPlaceholder('All kinds').click();
    await page.getByRole('option', { name: 'callback', exact: true }).click();
    await eventually(async () => ((await rows.count()) === 1 && (await rows.first().getAttribute('data-case-id')) === `callback-${CALLBACK}` ? true : undefined), 'the kind filter');
    // By assignee: the support account's own complaint from the previous test, resolved.
    await page.getByPlaceholder('All kinds').click();
    await page.getByRole('option', { name: 'complaint', exact: true }).click();
    await page.getByPlaceholder('All statuses').click();
    await page.getByRole('option', { name: 'resolved', exact: true }).click();
    await page.getByRole('button', { name: 'Assigned to me' }).click();
    await eventually(async () => ((await rows.count()) === 1 && (await rows.first().getAttribute('data-case-id')) === `complaint-${FRESH}` ? true : undefined), 'the assignee filter');

    // The customer link opens Customer 360.
    await rows.first().getByRole('link', { name: CUSTOMER }).click();
    await page.getByRole('heading', { name: `Customer ${CUSTOMER}` }).waitFor();
    await page.close();
  }, 120_000);

  it('analyst: the segment table after a recompute, the R×F grid, movements, CSV export and service metrics, without personal fields', async () => {
    const recomputed = await platform.call('POST', '/v1/segments/recomputes', platform.keys.admin!, { asOf: '2011-12-10T00:00:00Z' });
    expect(recomputed.status).toBe(201);
    const mine = await platform.call('GET', `/v1/customers/${CUSTOMER}/segment`, platform.keys.analyst!);
    expect(mine.status).toBe(200);
    const segment = mine.body.segment as string;

    const page = await signedIn('analyst');
    expect(await page.getByRole('link', { name: 'Work queue' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.getByRole('heading', { name: 'Analytics' }).waitFor();
    await page.getByTestId('segment-table').waitFor();
    await expect(page.getByTestId('segments-basis').textContent()).resolves.toContain('Snapshot of 10 Dec 2011: 1 customers, 1 scored, 0 excluded');
    // One customer imported: the table has every segment, 1 customer in 17850's and 0 elsewhere.
    expect(await page.getByTestId('segment-row').count()).toBe(11);
    await expect(page.locator(`[data-testid="segment-row"][data-segment="${segment}"] [data-testid="segment-customers"]`).textContent()).resolves.toBe('1');
    const counts = await page.getByTestId('segment-customers').allTextContents();
    expect(counts.map(Number).reduce((a, b) => a + b, 0)).toBe(1);
    // The grid colours the cells of that segment.
    expect(await page.getByTestId('rf-cell').count()).toBe(25);
    const scores = mine.body.scores as { r: number; f: number };
    await expect(page.locator(`[data-testid="rf-cell"][data-cell="${scores.r}${scores.f}"]`).textContent()).resolves.toContain(segment.replace(/_/g, ' '));
    // The heat map: 25 cells, the customer's cell warm, and the cells of segments nobody is in at 0.
    const heat = page.getByTestId('rf-heat-cell');
    expect(await heat.count()).toBe(25);
    expect(Number(await page.locator(`[data-testid="rf-heat-cell"][data-cell="${scores.r}${scores.f}"]`).getAttribute('data-value'))).toBeGreaterThan(0);
    const values = await heat.evaluateAll((cells) => cells.map((cell) => Number(cell.getAttribute('data-value'))));
    expect(values.filter((value) => value === 0).length).toBeGreaterThan(0);

    // An as-of date before the snapshot: a clear 404 naming the recompute.
    await page.getByLabel('As of (end of day, UTC)').fill('2011-01-01');
    await page.getByRole('alert').filter({ hasText: 'No segment snapshot at or before 2011-01-01' }).waitFor();
    await page.getByLabel('As of (end of day, UTC)').fill('2011-12-31');
    await eventually(async () => ((await page.getByTestId('segments-basis').textContent())?.includes('(the nearest at or before 31 Dec 2011)') ? true : undefined), 'the nearest earlier snapshot');

    // CSV export of the segment.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download ${segment.replace(/_/g, ' ')} as CSV` }).click()]);
    const csv = await (await import('node:fs/promises')).readFile((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[1]).toMatch(new RegExp(`^${CUSTOMER},`));
    expect(csv).not.toContain(EMAIL);

    // Movements between the snapshot and itself: nobody moved.
    await page.getByLabel('Movements from (end of day, UTC)').fill('2011-12-10');
    await page.getByLabel('Movements to (end of day, UTC)').fill('2011-12-10');
    await page.getByTestId('movements-moved').filter({ hasText: '0 customers changed segment' }).waitFor();

    // Service metrics: the complaints filed in the earlier tests (this month).
    await page.getByTestId('metrics-table').waitFor();
    // Four complaints were opened in the last ten days (grouped by month, so one or two rows).
    const opened = (await page.getByTestId('metrics-complaints').allTextContents()).map((cell) => Number(cell.split(' / ')[0])).reduce((a, b) => a + b, 0);
    expect(opened).toBe(4);
    // The same figures as charts: one bar per group and series, and per day a trend line per measure.
    await page.getByTestId('metrics-volumes-chart').locator('.recharts-bar-rectangle').first().waitFor();
    await page.getByRole('combobox', { name: 'Group by' }).click();
    await page.getByRole('option', { name: 'day', exact: true }).click();
    await eventually(async () => ((await page.getByTestId('metrics-row').count()) >= 2 ? true : undefined), 'the metrics per day');
    expect(await page.getByTestId('metrics-trends-chart').locator('.recharts-line').count()).toBe(5);

    const text = (await page.getByRole('main').textContent()) ?? '';
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain('Kim');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(DOCS, 'analytics.png'), fullPage: true });

    // Customer 360 shows the analyst the segment with its explanation.
    await page.getByRole('link', { name: 'Search' }).click();
    await openCustomer(page);
    await expect(page.getByTestId('segment-name').textContent()).resolves.toBe(segment.replace(/_/g, ' '));
    await expect(page.getByTestId('segment-rule').textContent()).resolves.toContain(`this customer R ${scores.r}, F ${scores.f}`);
    await page.close();
  }, 180_000);

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
