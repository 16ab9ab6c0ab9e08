import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { privateKeyToAccount } from 'viem/accounts';
import { DEMO_ORGANIZATION, DEMO_WALLET, DEMO_WALLET_PRIVATE_KEY } from '../../src/demo/demo-seed.ts';
import { chromiumPath, launchChromium, NO_CHROMIUM } from '../support/chromium.ts';
import { ensureConsoleBuilt } from '../support/console-build.ts';
import { startDemoServer, type DemoServer } from '../support/demo-server.ts';
import { injectWallet } from '../support/injected-wallet.ts';

// The console on exactly what `npm start` creates: the real `keygate serve --demo` in a child process
// (organization "Demo Trading", demo-admin with the demo wallet, the "demo live data" key, the demo
// publisher's maintenance updates), driven in Chromium at desktop and phone width. With
// KEYGATE_SCREENSHOTS_DIR set (npm run docs:screenshots) it saves the screenshots the docs show.

const executable = chromiumPath();
const screenshotsDir = process.env.KEYGATE_SCREENSHOTS_DIR ?? null;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };
const demoAdmin = privateKeyToAccount(DEMO_WALLET_PRIVATE_KEY);
const channel = `maintenance:wallet:${DEMO_WALLET}`;

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  if (!screenshotsDir) return;
  mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: join(screenshotsDir, `${name}.png`), fullPage });
}

const tableRows = (page: Page) => page.locator('table.key-table tbody tr');

/** Rendered sizes the phone layout must keep: chart label heights, and the balance against its card. */
function measureLiveView(page: Page) {
  return page.evaluate(() => {
    const labels = Array.from(document.querySelectorAll('figure.chart svg text')).map((t) => ({ text: t.textContent, height: t.getBoundingClientRect().height }));
    const balance = document.querySelector<HTMLElement>('[data-testid="margin-balance"]')!;
    const card = balance.closest<HTMLElement>('.stat')!;
    const style = getComputedStyle(card);
    // The card's content box: text running into its padding already looks broken.
    const left = card.getBoundingClientRect().left + card.clientLeft + parseFloat(style.paddingLeft);
    const contentWidth = card.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const box = balance.getBoundingClientRect();
    return {
      labels,
      balanceText: balance.textContent,
      balanceScrollWidth: balance.scrollWidth,
      cardContentWidth: contentWidth,
      balanceInsideCard: box.left >= left - 0.5 && box.right <= left + contentWidth + 0.5,
      pageScrollWidth: document.documentElement.scrollWidth,
      viewportWidth: window.innerWidth,
    };
  });
}

describe('web console on the demo data (Chromium)', { skip: executable ? false : NO_CHROMIUM }, () => {
  let demo: DemoServer;
  let browser: Browser;

  before(async () => {
    ensureConsoleBuilt();
    demo = await startDemoServer();
    browser = await launchChromium(executable!);
  });
  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  /** A page signed in as demo-admin with the demo wallet (Hardhat's account #0), as docs/console.md describes. */
  async function signedIn(viewport: { width: number; height: number }, onSignInPage?: (page: Page) => Promise<void>): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await injectWallet(page, demoAdmin);
    await page.goto(demo.url + '/');
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    await onSignInPage?.(page);
    await page.getByRole('button', { name: 'Sign in with Ethereum' }).click();
    await page.getByRole('heading', { name: 'API Key Management' }).waitFor();
    await page.locator('.count', { hasText: /\d+ keys?/ }).waitFor();
    return { context, page };
  }

  /** Opens the live view with the demo key the banner printed and waits for `updates` maintenance updates. */
  async function watchDemoWallet(page: Page, updates: number): Promise<void> {
    await page.getByRole('link', { name: 'Live view' }).click();
    await page.getByRole('heading', { name: 'Live view' }).waitFor();
    assert.equal(await page.locator('.channel').textContent(), channel);
    await page.locator('#live-key').fill(demo.demoKey);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await page.waitForFunction(
      (n) => Number(/over (\d+) updates/.exec(document.querySelector('figure.chart svg')?.getAttribute('aria-label') ?? '')?.[1] ?? 0) >= n,
      updates,
      { timeout: 30_000 },
    );
  }

  it('desktop: signs in as demo-admin, creates a key shown once, offers to revoke it, and shows the demo wallet live', async () => {
    const { context, page } = await signedIn(DESKTOP, (signInPage) => shot(signInPage, 'sign-in'));
    const header = (await page.locator('.app-header').textContent()) ?? '';
    assert.match(header, /demo-admin/);
    assert.match(header, new RegExp(DEMO_ORGANIZATION));
    assert.match((await tableRows(page).first().textContent()) ?? '', /demo live data/);

    await page.getByRole('button', { name: 'Create API Key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API Key' });
    await dialog.waitFor();
    await page.getByLabel('Token name').fill('risk monitor');
    await page.getByText('30 days').click();
    await page.getByRole('checkbox', { name: /^info\b/ }).check();
    await shot(page, 'create-dialog');
    await dialog.getByRole('button', { name: 'Create API Key' }).click();

    const secretDialog = page.getByRole('dialog', { name: 'Your new API key' });
    await secretDialog.waitFor();
    assert.match(await page.locator('#new-key-secret').inputValue(), /^dsk_[0-9a-f]{64}$/);
    await shot(page, 'key-shown-once');
    // The dialog closes only once the copy is confirmed (it cannot be dismissed before).
    await secretDialog.getByRole('checkbox', { name: /I have copied this key and stored it/ }).check();
    await secretDialog.getByRole('button', { name: 'Done' }).click();
    await secretDialog.waitFor({ state: 'detached' });

    await page.locator('.count', { hasText: '2 keys' }).waitFor();
    await shot(page, 'key-list');

    const fresh = tableRows(page).filter({ hasText: 'risk monitor' });
    await fresh.getByRole('button', { name: /^Revoke/ }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke API key?' });
    await confirm.waitFor();
    await shot(page, 'revoke-confirm');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });

    await watchDemoWallet(page, 6);
    const live = (await page.getByTestId('live-update').textContent()) ?? '';
    for (const expected of ['Margin accounts', 'CEX sub-accounts', 'binance', 'okx', 'ethereum', 'arbitrum']) assert.ok(live.includes(expected), `the live view shows ${expected}`);
    await shot(page, 'live-view', true);
    await context.close();
  });

  it('phone: the key list and the live view fit 375 px; chart labels stay readable and the balance stays in its card', async (t) => {
    const { context, page } = await signedIn(PHONE);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the key list has no horizontal scrolling');
    await shot(page, 'key-list-phone');

    await watchDemoWallet(page, 4);
    const measured = await measureLiveView(page);
    t.diagnostic(`chart labels ${measured.labels.map((l) => `${l.text} ${l.height.toFixed(1)} px`).join(', ')}; balance ${measured.balanceText} ${measured.balanceScrollWidth} px in a card ${measured.cardContentWidth} px wide inside`);
    assert.ok(measured.labels.length >= 4, `axis and threshold labels are drawn: ${JSON.stringify(measured.labels)}`);
    for (const label of measured.labels) assert.ok(label.height >= 11, `chart label "${label.text}" is ${label.height.toFixed(1)} px tall at 375 px wide (at least 11)`);
    assert.ok(measured.balanceScrollWidth <= measured.cardContentWidth, `balance ${measured.balanceText} (${measured.balanceScrollWidth} px) fits its card (${measured.cardContentWidth} px inside)`);
    assert.ok(measured.balanceInsideCard, 'the balance is drawn inside its card');
    assert.ok(measured.pageScrollWidth <= measured.viewportWidth, 'the live view has no horizontal scrolling');
    // The figures and the chart fill the phone's screen (the connect form above them is in live-view.png).
    await page.evaluate(() => {
      const stats = document.querySelector('.stats')!.getBoundingClientRect().top + window.scrollY;
      window.scrollTo(0, stats - document.querySelector('.app-header')!.getBoundingClientRect().height - 16);
    });
    await shot(page, 'live-view-phone');

    // A balance far larger than the demo's still fits: it shrinks, then wraps, never overflows.
    const huge = { owner: DEMO_WALLET, currency: 'USD', riskFactor: '1.2000', marginCallLevel: '1.15', liquidationLevel: '1.00', marginBalance: '98765432109.87', updatedAt: new Date(Date.now() + 3_600_000).toISOString() };
    const published = await fetch(`${demo.url}/api/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demo.serverToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel, data: huge }),
    });
    assert.equal(published.status, 200, await published.text());
    await page.getByTestId('margin-balance').filter({ hasText: '$98,765,432,109.87' }).waitFor();
    // At phone width the balance has a row of its own; at tablet width it shares one with three others.
    for (const viewport of [PHONE, { width: 800, height: 900 }]) {
      await page.setViewportSize(viewport);
      const big = await measureLiveView(page);
      assert.ok(big.balanceScrollWidth <= big.cardContentWidth && big.balanceInsideCard, `${viewport.width} px: balance ${big.balanceText} (${big.balanceScrollWidth} px) fits its card (${big.cardContentWidth} px inside)`);
      assert.ok(big.pageScrollWidth <= big.viewportWidth, `${viewport.width} px: no horizontal scrolling`);
    }
    await context.close();
  });

  it('create dialog: problems are said as a person would, next to their field', async () => {
    const { context, page } = await signedIn(PHONE);
    const creates: string[] = [];
    page.on('request', (request) => request.method() === 'POST' && request.url().endsWith('/v1/keys') && creates.push(request.url()));
    await page.getByRole('button', { name: 'Create API Key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API Key' });
    await dialog.waitFor();

    // Checked in the page: nothing is sent.
    await dialog.getByRole('button', { name: 'Create API Key' }).click();
    const nameError = page.locator('#name-error');
    await nameError.waitFor();
    assert.equal(await nameError.textContent(), 'Name is required');
    assert.equal(await page.getByLabel('Token name').getAttribute('aria-invalid'), 'true');
    assert.match((await page.getByLabel('Token name').getAttribute('aria-describedby')) ?? '', /\bname-error\b/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'key-name', 'focus moves to the field to fix');
    await shot(page, 'create-dialog-phone');

    await page.getByLabel('Token name').fill('risk monitor');
    assert.equal(await nameError.count(), 0, 'typing clears the message');
    await page.getByText('Custom date').click();
    await page.getByLabel('Expires at the end of').fill('2001-01-01');
    await dialog.getByRole('button', { name: 'Create API Key' }).click();
    assert.equal(await page.locator('#expiresAt-error').textContent(), 'The expiry date has passed; choose today or a later day');
    assert.deepEqual(creates, [], 'what the page can check is not sent');

    // Refused by the server: its message, in the form's words, at the field it names.
    await page.getByText('30 days').click();
    await page.getByText('Advanced: IP allowlist and exchanges').click();
    await page.getByLabel('IP allowlist (optional)').fill('10.0.0.1, not-an-ip');
    await dialog.getByRole('button', { name: 'Create API Key' }).click();
    const ipError = page.locator('#ipAllowlist-error');
    await ipError.waitFor();
    assert.equal(await ipError.textContent(), 'IP allowlist entry 2 is not an IPv4/IPv6 address or CIDR range: "not-an-ip"');
    assert.equal(creates.length, 1);
    await context.close();
  });
});
