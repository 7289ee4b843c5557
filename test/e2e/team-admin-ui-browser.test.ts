import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/shared/format.js';
import { HAVE_CHROMIUM, launchChromium, openPage, screenshotDir } from '../helpers/browser.js';
import { requirePostgresOrSkip } from '../helpers/postgres.js';
import { redisUnavailable } from '../helpers/redis.js';
import { ADMIN_KEY, startTeamStack, type Member, type TeamStack } from '../helpers/team-admin-ui.js';

/**
 * The admin pages in Chromium, against a real `lodestar server` over PostgreSQL and Redis: log in
 * with the admin key, see the users, each user's spend equal to the ledger's sum, and a request
 * appear in the live list once it is sent. Screenshots go to a temporary folder (or
 * docs/screenshots with LODESTAR_SCREENSHOTS=docs).
 */
const HAVE = HAVE_CHROMIUM && requirePostgresOrSkip() && !redisUnavailable();

describe.skipIf(!HAVE)('the admin pages in Chromium', { timeout: 90_000 }, () => {
  let stack: TeamStack;
  let browser: Browser;
  let shots: string;
  let members: Member[];

  beforeAll(async () => {
    stack = await startTeamStack();
    members = [
      await stack.member({ monthlyUsd: 40, mode: 'hard' }, { monthlyUsd: 10, dailyUsd: 2, rpm: 120 }),
      await stack.member({ monthlyUsd: 100, dailyUsd: 8 }, { tpm: 200_000 }),
      await stack.member({}, {}),
    ];
    // Some traffic first: a different amount each, for spend to tell them apart.
    for (const [index, member] of members.entries()) {
      for (let count = 0; count <= index; count++) await stack.chat(member.key, { inputTokens: 40_000 * (index + 1), outputTokens: 2_000 * (count + 1) });
    }
    browser = await launchChromium();
    shots = screenshotDir();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function logIn(page: Page): Promise<void> {
    await page.goto(`${stack.server.url}/admin-ui/`);
    await page.getByTestId('admin-key').fill(ADMIN_KEY);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('spend-by-user').waitFor();
  }

  it('logs in with the admin key, shows spend by user equal to the ledger, the users, quotas and teams, and a new request in the live list', async () => {
    const { context, page, problems } = await openPage(browser, 1280);
    await page.goto(`${stack.server.url}/`);
    expect(new URL(page.url()).pathname).toBe('/admin-ui/');
    await page.getByTestId('login-form').waitFor();

    // A wrong key: the server's own words, and no cookie.
    await page.getByTestId('admin-key').fill('lsa_not_the_admin_key_at_all_00000000000');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toMatch(/not valid/);
    expect(await context.cookies()).toEqual([]);
    await page.screenshot({ path: join(shots, 'admin-login-error-1280.png') });

    await page.getByTestId('admin-key').fill(ADMIN_KEY);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('spend-by-user').waitFor();
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'lodestar_admin_session', httpOnly: true, sameSite: 'Strict', path: '/admin-ui', secure: false });
    expect(await page.evaluate(() => document.cookie)).toBe('');

    // Spend by user: each member's row says what the ledger sums for them.
    for (const member of members) {
      const { rows } = await stack.db.query<{ spent: number }>('SELECT sum(cost_usd) AS spent FROM ledger_events WHERE user_id = $1', [member.userId]);
      const row = page.locator(`[data-testid="spend-by-user-row"][data-key="${member.email}"]`);
      await expect.poll(() => row.getByTestId('spend-by-user-cost').textContent()).toBe(formatMoney(rows[0]?.spent as number));
    }
    const { rows: total } = await stack.db.query<{ spent: number }>('SELECT sum(cost_usd) AS spent FROM ledger_events');
    expect(await page.getByTestId('spend-total-value').textContent()).toBe(formatMoney(total[0]?.spent as number));
    expect(await page.getByTestId('spend-by-team-row').count()).toBe(members.length);
    await page.screenshot({ path: join(shots, 'admin-spend-1280.png'), fullPage: true });

    await page.getByTestId('nav-users').click();
    await page.getByTestId('user-row').first().waitFor();
    expect((await page.getByTestId('user-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-email')))).sort()).toEqual(members.map((member) => member.email).sort());
    expect(await page.locator(`[data-testid="user-key"][data-key-id="${members[0]?.keyId}"]`).textContent()).toContain(members[0]?.key.slice(0, 8));
    await page.screenshot({ path: join(shots, 'admin-users-1280.png'), fullPage: true });

    await page.getByTestId('nav-quotas').click();
    await page.getByTestId('quota-row').first().waitFor();
    const first = members[0] as Member;
    const { rows: firstSpent } = await stack.db.query<{ spent: number }>('SELECT sum(cost_usd) AS spent FROM ledger_events WHERE user_id = $1', [first.userId]);
    const userMonthly = page.locator(`[data-testid="quota-row"][data-owner="user"][data-name="${first.email}"][data-period="monthly"]`);
    expect(await userMonthly.getByTestId('quota-spent').textContent()).toBe(formatMoney(firstSpent[0]?.spent as number));
    await page.screenshot({ path: join(shots, 'admin-quotas-1280.png'), fullPage: true });

    await page.getByTestId('nav-teams').click();
    await page.getByTestId('team-row').first().waitFor();
    expect(await page.getByTestId('team-row').count()).toBe(members.length);
    await page.screenshot({ path: join(shots, 'admin-teams-1280.png'), fullPage: true });

    // The live list: a request sent now shows up, with who sent it, within a poll or two.
    await page.getByTestId('nav-requests').click();
    await page.getByTestId('live-request').first().waitFor();
    const sender = members[1] as Member;
    const id = await stack.chat(sender.key, { inputTokens: 1234, outputTokens: 56 });
    const row = page.locator(`[data-testid="live-request"][data-request-id="${id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain(sender.email);
    expect(await page.getByTestId('live-request').first().getAttribute('data-request-id')).toBe(id);
    await page.screenshot({ path: join(shots, 'admin-requests-1280.png'), fullPage: true });

    // Log out: the form again, and the cookie no longer opens anything.
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    const status = await page.evaluate(async () => (await fetch('/admin-ui/api/users')).status);
    expect(status).toBe(401);
    expect(problems.filter((text) => !/status of 40[13]/.test(text))).toEqual([]);
    await context.close();
  });

  it('reads on a phone: the pages as stacked cards', async () => {
    const { context, page, problems } = await openPage(browser, 390);
    await logIn(page);
    await page.screenshot({ path: join(shots, 'admin-spend-390.png'), fullPage: true });
    await page.getByTestId('nav-requests').click();
    await page.getByTestId('live-request').first().waitFor();
    await page.screenshot({ path: join(shots, 'admin-requests-390.png'), fullPage: true });
    await page.getByTestId('nav-quotas').click();
    await page.getByTestId('quota-row').first().waitFor();
    await page.screenshot({ path: join(shots, 'admin-quotas-390.png'), fullPage: true });
    // The first load asks for a session it does not have yet: a 401, which the browser logs.
    expect(problems.filter((text) => !/status of 401/.test(text))).toEqual([]);
    await context.close();
  });
});
