import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { chromiumPath, launchChromium, NO_CHROMIUM } from '../support/chromium.ts';
import { ensureConsoleBuilt } from '../support/console-build.ts';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode, type TestUser } from '../support/harness.ts';
import { injectWallet } from '../support/injected-wallet.ts';

// Drives the built console in Debian's Chromium against a real node: wallet sign-in, the spec 000 key
// flow, admin-only revoke, and the live view. The docs' screenshots come from console-demo.test.ts, on the
// demo's data, so this file's fixtures ("alice", "bob") never end up in them.

const executable = chromiumPath();

const tableRows = (page: Page) => page.locator('table.key-table tbody tr');

for (const dialect of dialects()) {
  describe(`web console in Chromium (${dialect})`, { skip: executable ? false : NO_CHROMIUM }, () => {
    let node: TestNode;
    let browser: Browser;
    const adminWallet = privateKeyToAccount(generatePrivateKey());
    const memberWallet = privateKeyToAccount(generatePrivateKey());
    let member: TestUser;
    let memberKeyId: string;

    before(async () => {
      ensureConsoleBuilt();
      node = await startNode({ dialect });
      await node.addUser({ role: 'admin', name: 'alice', wallets: [adminWallet.address] });
      member = await node.addUser({ role: 'member', name: 'bob', wallets: [memberWallet.address] });
      // Some keys so the list looks like an organization's.
      await node.request('POST', '/v1/keys', { token: node.admin.token, body: { name: 'trading bot', permissions: ['read', 'trade'], expiresInSeconds: 90 * 86400 } });
      await node.request('POST', '/v1/keys', { token: node.admin.token, body: { name: 'market data feed', permissions: ['read', 'info'], allowedExchanges: ['binance', 'okx'] } });
      const memberKey = await node.request('POST', '/v1/keys', { token: member.token, body: { name: 'bob reporting', permissions: ['read'], expiresInSeconds: 7 * 86400 } });
      memberKeyId = memberKey.body.id;
      browser = await launchChromium(executable!);
    });
    after(async () => {
      await browser?.close();
      await node?.stop();
    });

    async function signedInPage(wallet: PrivateKeyAccount, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
      const context = await browser.newContext({ viewport });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: node.url });
      const page = await context.newPage();
      await injectWallet(page, wallet);
      await page.goto(node.url + '/');
      await page.getByRole('button', { name: 'Sign in with Ethereum' }).click();
      await page.getByRole('heading', { name: 'API Key Management' }).waitFor();
      await page.locator('.count', { hasText: /\d+ keys?/ }).waitFor();
      return { context, page };
    }

    /** Seeds a key through the API, then opens the console as the admin with the list narrowed to that key. */
    async function adminOnSeededKey(name: string) {
      const seeded = await node.request('POST', '/v1/keys', { token: node.admin.token, body: { name, permissions: ['read'] } });
      const { context, page } = await signedInPage(adminWallet);
      await page.getByLabel('Search by name or tail').fill(name);
      await page.locator('.count', { hasText: /^1 key$/ }).waitFor();
      return { seeded, context, page, row: tableRows(page).first() };
    }

    it('admin: signs in with a wallet, creates a key shown once, copies it, finds it by tail, revokes it', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: node.url });
      const page = await context.newPage();
      await injectWallet(page, adminWallet);
      await page.goto(node.url + '/');
      await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();

      await page.getByRole('button', { name: 'Sign in with Ethereum' }).click();
      await page.getByRole('heading', { name: 'API Key Management' }).waitFor();
      await page.locator('.count', { hasText: '3 keys' }).waitFor();
      assert.equal(await tableRows(page).count(), 3, 'an admin sees every key of the organization');
      assert.match((await page.locator('.app-header').textContent()) ?? '', /alice.*Organization admin/);

      // Keyboard: the dialog traps Tab and closes on Escape.
      await page.getByRole('button', { name: 'Create API Key' }).click();
      const dialog = page.getByRole('dialog', { name: 'Create API Key' });
      await dialog.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'key-name', 'focus starts in the form');
      for (let i = 0; i < 14; i++) {
        await page.keyboard.press('Tab');
        assert.ok(await page.evaluate(() => Boolean(document.activeElement?.closest('[role="dialog"]'))), 'Tab stays inside the dialog');
      }
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      // The server's validation errors appear next to their field.
      await page.getByRole('button', { name: 'Create API Key' }).click();
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Create API Key' }).click();
      const nameError = page.locator('#name-error');
      await nameError.waitFor();
      assert.equal(await nameError.textContent(), 'Name is required');
      assert.equal(await page.getByLabel('Token name').getAttribute('aria-invalid'), 'true');

      await page.getByLabel('Token name').fill('risk monitor');
      await page.getByText('Advanced: IP allowlist and exchanges').click();
      await page.getByLabel('IP allowlist (optional)').fill('not-an-ip');
      await dialog.getByRole('button', { name: 'Create API Key' }).click();
      const ipError = page.locator('#ipAllowlist-error');
      await ipError.waitFor();
      assert.match((await ipError.textContent()) ?? '', /not-an-ip|IP|address/i);
      await page.getByLabel('IP allowlist (optional)').fill('');
      assert.equal(await ipError.count(), 0, 'editing a field clears its error');
      await page.getByText('30 days').click();
      await page.getByRole('checkbox', { name: /info/ }).check();
      await page.getByText('Advanced: IP allowlist and exchanges').click();
      await page.getByLabel('Token name').scrollIntoViewIfNeeded();
      await dialog.getByRole('button', { name: 'Create API Key' }).click();

      // Shown exactly once, with a copy button and a warning.
      const secretDialog = page.getByRole('dialog', { name: 'Your new API key' });
      await secretDialog.waitFor();
      const secret = await page.locator('#new-key-secret').inputValue();
      assert.match(secret, /^dsk_[0-9a-f]{64}$/);
      assert.match((await secretDialog.textContent()) ?? '', /displayed only once/);
      await secretDialog.getByRole('button', { name: 'Copy' }).click();
      await secretDialog.getByRole('button', { name: 'Copied' }).waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret, 'the copy button puts the key on the clipboard');
      // Not dismissible by Escape, a click on the backdrop or Done until the user confirms the key is stored.
      await page.keyboard.press('Escape');
      await page.mouse.click(4, 4);
      await page.waitForTimeout(200);
      assert.equal(await secretDialog.count(), 1, 'Escape and a backdrop click leave the key on screen');
      assert.equal(await secretDialog.getByRole('button', { name: 'Close' }).count(), 0, 'no × before confirming');
      assert.equal(await secretDialog.getByRole('button', { name: 'Done' }).isDisabled(), true);
      // The live view uses the key without ever showing it: leaving for it loses the secret too.
      assert.equal(await secretDialog.getByRole('button', { name: 'Use in live view' }).isDisabled(), true, 'no way to the live view before confirming');
      await secretDialog.getByRole('checkbox', { name: /I have copied this key and stored it/ }).check();
      assert.equal(await secretDialog.getByRole('button', { name: 'Done' }).isDisabled(), false);
      await page.keyboard.press('Escape');
      await secretDialog.waitFor({ state: 'detached' });
      assert.equal((await page.content()).includes(secret), false, 'once the dialog is gone the secret is gone from the page');

      const created = (await node.request('GET', '/v1/keys?q=risk%20monitor', { token: node.admin.token })).body.keys[0];
      assert.deepEqual([...created.permissions].sort(), ['info', 'read']);
      const days = (Date.parse(created.expiresAt) - Date.parse(created.createdAt)) / 86_400_000;
      assert.ok(Math.abs(days - 30) < 0.01, `expires in 30 days (got ${days})`);
      assert.equal(created.tail, secret.slice(-6));

      // Find it by tail.
      await page.getByLabel('Search by name or tail').fill(created.tail);
      await page.locator('.count', { hasText: /^1 key$/ }).waitFor();
      assert.equal(await tableRows(page).count(), 1);
      assert.match((await tableRows(page).first().textContent()) ?? '', /risk monitor/);

      // Revoke, after confirmation.
      await tableRows(page).first().getByRole('button', { name: /^Revoke/ }).click();
      const confirm = page.getByRole('dialog', { name: 'Revoke API key?' });
      await confirm.waitFor();
      await confirm.getByRole('button', { name: 'Revoke key' }).click();
      await confirm.waitFor({ state: 'detached' });
      await tableRows(page).first().locator('.status-revoked').waitFor();
      const after = await node.request('GET', `/v1/keys/${created.id}`, { token: node.admin.token });
      assert.equal(after.body.status, 'revoked');
      const used = await fetch(`${node.url}/v1/auth`, { headers: { 'x-api-key': secret } });
      assert.equal(used.status, 403, 'the revoked key no longer authenticates');

      // Sign out ends the session.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
      assert.equal(await page.evaluate(async () => (await fetch('/v1/keys')).status), 401);
      await context.close();
    });

    it('admin: suspends a key from the list (shown as suspended, refused 403 DISABLED) and resumes it', async () => {
      const { seeded, context, page, row } = await adminOnSeededKey('paused bot');
      await row.getByRole('button', { name: 'Suspend paused bot' }).click();
      await row.locator('.status-suspended').waitFor();
      assert.equal((await node.request('GET', `/v1/keys/${seeded.body.id}`, { token: node.admin.token })).body.enabled, false);
      const refused = await fetch(`${node.url}/v1/auth`, { headers: { 'x-api-key': seeded.body.key } });
      assert.deepEqual([refused.status, refused.headers.get('x-keygate-code')], [403, 'DISABLED']);
      await row.getByRole('button', { name: 'Resume paused bot' }).click();
      await row.locator('.status-active').waitFor();
      assert.equal((await fetch(`${node.url}/v1/auth`, { headers: { 'x-api-key': seeded.body.key } })).status, 200);
      await context.close();
    });

    it('admin: sets a key\'s request limit from the list (enforced at once), explains a bad value, and hands it back to the tier', async () => {
      const { seeded, context, page, row } = await adminOnSeededKey('metered bot');
      assert.equal((await row.locator('td[data-label="Limit"]').textContent())?.trim(), 'Tier');

      await row.getByRole('button', { name: 'Set the request limit of metered bot' }).click();
      const dialog = page.getByRole('dialog', { name: 'Request limit' });
      await dialog.waitFor();
      await dialog.getByLabel('Requests per minute').fill('lots');
      await dialog.getByRole('button', { name: 'Save limit' }).click();
      await dialog.getByText('Enter a whole number of requests per minute').waitFor();
      await dialog.getByLabel('Requests per minute').fill('2');
      await dialog.getByRole('button', { name: 'Save limit' }).click();
      await dialog.waitFor({ state: 'detached' });
      await row.locator('td[data-label="Limit"]', { hasText: '2/min' }).waitFor();
      assert.equal((await node.request('GET', `/v1/keys/${seeded.body.id}`, { token: node.admin.token })).body.requestsPerMinute, 2);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await fetch(`${node.url}/v1/auth`, { headers: { 'x-api-key': seeded.body.key } })).status);
      assert.deepEqual(statuses, [200, 200, 429], 'the third request in the minute is over the new limit');

      await row.getByRole('button', { name: 'Set the request limit of metered bot' }).click();
      await dialog.getByLabel('Requests per minute').fill('');
      await dialog.getByRole('button', { name: 'Save limit' }).click();
      await row.locator('td[data-label="Limit"]', { hasText: 'Tier' }).waitFor();
      assert.equal((await node.request('GET', `/v1/keys/${seeded.body.id}`, { token: node.admin.token })).body.requestsPerMinute, null);
      await context.close();
    });

    it('admin: a revoke answered after its dialog was cancelled leaves the dialog opened since for another key', async () => {
      const first = await node.request('POST', '/v1/keys', { token: node.admin.token, body: { name: 'late revoke one', permissions: ['read'] } });
      const second = await node.request('POST', '/v1/keys', { token: node.admin.token, body: { name: 'late revoke two', permissions: ['read'] } });
      const { context, page } = await signedInPage(adminWallet);
      await page.getByLabel('Search by name or tail').fill('late revoke');
      await page.locator('.count', { hasText: /^2 keys$/ }).waitFor();
      // Hold the first key's revoke until the second key's dialog is open.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route(`**/v1/keys/${first.body.id}/revoke`, async (route) => {
        await held;
        await route.continue();
      });

      await page.getByRole('button', { name: 'Revoke late revoke one' }).click();
      const dialog = page.getByRole('dialog', { name: 'Revoke API key?' });
      await dialog.getByRole('button', { name: 'Revoke key' }).click();
      await dialog.getByRole('button', { name: 'Revoking…' }).waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Revoke late revoke two' }).click();
      await dialog.getByText('late revoke two').waitFor();

      release();
      await page.getByRole('row', { name: /late revoke one/ }).locator('.status-revoked').waitFor();
      assert.equal(await dialog.isVisible(), true, 'the second key\'s dialog is still open');
      assert.match((await dialog.textContent()) ?? '', /late revoke two/);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      assert.equal((await node.request('GET', `/v1/keys/${first.body.id}`, { token: node.admin.token })).body.status, 'revoked');
      assert.equal((await node.request('GET', `/v1/keys/${second.body.id}`, { token: node.admin.token })).body.status, 'active');
      await context.close();
    });

    it('member: sees no Revoke button, and a direct revoke with the member session is refused with 403', async () => {
      const { context, page } = await signedInPage(memberWallet);
      assert.match((await page.locator('.app-header').textContent()) ?? '', /bob.*Member/);
      assert.ok((await tableRows(page).count()) >= 1);
      assert.equal(await page.getByRole('button', { name: /^Revoke/ }).count(), 0, 'members get no Revoke button');
      assert.equal(await page.getByRole('button', { name: /^(Suspend|Resume)/ }).count(), 0, 'members get no Suspend or Resume button');
      assert.equal(await page.getByRole('button', { name: /^Set the request limit/ }).count(), 0, 'members get no Limit button');
      const status = await page.evaluate(async (id) => {
        const session = await (await fetch('/v1/console/session')).json();
        const response = await fetch(`/v1/keys/${id}/revoke`, { method: 'POST', headers: { 'x-csrf-token': session.csrfToken } });
        return response.status;
      }, memberKeyId);
      assert.equal(status, 403);
      const still = await node.request('GET', `/v1/keys/${memberKeyId}`, { token: node.admin.token });
      assert.equal(still.body.status, 'active');
      await context.close();
    });

    it('operator: signs in with a management token, which is exchanged for a session and not kept', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(node.url + '/');
      assert.ok(await page.getByRole('button', { name: 'Sign in with Ethereum' }).isDisabled(), 'no wallet: wallet sign-in is unavailable');
      await page.getByLabel('Management token').fill('kgm_' + '0'.repeat(64));
      await page.getByRole('button', { name: 'Sign in with token' }).click();
      assert.match((await page.getByRole('alert').textContent()) ?? '', /invalid, expired or revoked/);
      await page.getByLabel('Management token').fill(node.admin.token);
      await page.getByRole('button', { name: 'Sign in with token' }).click();
      await page.getByRole('heading', { name: 'API Key Management' }).waitFor();
      assert.equal((await page.content()).includes(node.admin.token), false, 'the token is not left in the page');
      const cookies = await context.cookies();
      assert.equal(cookies.find((c) => c.name === 'keygate_session')?.httpOnly, true);
      await page.reload();
      await page.getByRole('heading', { name: 'API Key Management' }).waitFor();

      // Signed out elsewhere: the next call brings the sign-in screen back.
      const cookie = cookies.find((c) => c.name === 'keygate_session')!;
      const csrf = (await node.request('GET', '/v1/console/session', { headers: { cookie: `${cookie.name}=${cookie.value}` } })).body.csrfToken;
      await node.request('DELETE', '/v1/console/session', { headers: { cookie: `${cookie.name}=${cookie.value}`, 'x-csrf-token': csrf } });
      // The next call brings the sign-in screen back: the search typed here, or a refresh the console
      // makes on its own first (then the search box is gone before it can be typed in).
      const signIn = page.getByRole('heading', { name: 'Sign in to the console' });
      const typed = page.getByLabel('Search by name or tail').fill('trading').catch(() => undefined);
      await Promise.race([typed, signIn.waitFor()]);
      await signIn.waitFor();
      await context.close();
      await typed;
    });

    it('works at phone width: the key list fits the screen', async () => {
      const { context, page } = await signedInPage(adminWallet, { width: 390, height: 844 });
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no horizontal scrolling');
      assert.ok(await page.getByRole('button', { name: 'Create API Key' }).isVisible());
      await context.close();
    });

    it('live view: a key created in the console subscribes to the wallet channel and shows an update', async (t) => {
      const { context, page } = await signedInPage(adminWallet);
      await page.getByRole('button', { name: 'Create API Key' }).click();
      const dialog = page.getByRole('dialog', { name: 'Create API Key' });
      await page.getByLabel('Token name').fill('live view');
      await dialog.getByRole('button', { name: 'Create API Key' }).click();
      const secretDialog = page.getByRole('dialog', { name: 'Your new API key' });
      await secretDialog.getByRole('checkbox', { name: /I have copied this key and stored it/ }).check();
      await secretDialog.getByRole('button', { name: 'Use in live view' }).click();
      await page.getByRole('heading', { name: 'Live view' }).waitFor();
      assert.equal(await page.locator('.channel').textContent(), `maintenance:wallet:${adminWallet.address}`);

      await page.getByRole('button', { name: 'Connect' }).click();
      await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
      const channel = `maintenance:wallet:${adminWallet.address}`;
      const update = (riskFactor: string, at: number) => ({
        clusterId: 'c-1',
        owner: adminWallet.address,
        currency: 'USD',
        riskFactor,
        marginCallLevel: '1.1000',
        liquidationLevel: '1.0000',
        status: 'healthy',
        marginBalance: '18250.00',
        totalBorrowed: '12000.00',
        marginAccounts: [
          {
            address: '0x1111111111111111111111111111111111111111',
            owner: adminWallet.address,
            chain: 'ethereum',
            leverageAsset: 'USDC',
            loanPrincipal: '12000',
            accruedInterest: '14.2',
            tokens: [{ symbol: 'ETH', amount: '5', price: '3012.5', value: '15062.50' }],
            defiPositions: [],
            collateralValue: '15062.50',
          },
        ],
        cexSubAccounts: [{ exchange: 'binance', subAccountId: 'sub-1', tokens: [{ symbol: 'USDT', amount: '3187.5', price: '1', value: '3187.50' }], value: '3187.50' }],
        updatedAt: new Date(at).toISOString(),
      });
      const now = Date.now();
      await node.keygate.publish(channel, update('1.4210', now - 4000));
      await node.keygate.publish(channel, update('1.3822', now - 2000));
      await node.keygate.publish(channel, update('1.3517', now));
      await page.getByTestId('risk-factor').filter({ hasText: '1.3517' }).waitFor();
      assert.match((await page.getByTestId('live-update').textContent()) ?? '', /binance/);
      await context.close();
    });
  });
}
