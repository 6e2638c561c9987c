import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from './support/test-app.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/** Debian's Chromium; the tests never download a browser (see browser.e2e-spec.ts). */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const ARTIFACTS = join(import.meta.dirname, 'artifacts');

if (!CHROMIUM && process.env.CI)
  throw new Error('NO CHROMIUM: install it with apt-get install -y chromium');

describe.skipIf(!CHROMIUM)('Settings → API webhook endpoints in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let receiver: WebhookReceiver;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    t = await createTestApp({
      env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', EVENTS_POLL_MS: '50' },
    });
    await t.running.app.listen(0, '127.0.0.1');
    base = (await t.running.app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await receiver?.close();
  });

  async function newPage(width: number, height: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height }, baseURL: base });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) cspViolations.push(msg.text());
    });
    return page;
  }

  async function signUpThroughPage(page: Page, name: string): Promise<void> {
    await page.goto('/login');
    await page.locator('#signup-name').fill(name);
    await page
      .locator('#signup-email')
      .fill(`${name.replace(/\W/g, '')}-${Date.now()}@example.com`);
    await page.locator('#signup-password').fill('a webhook password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/settings/api');
  }

  const endpointRow = async () =>
    (await t.sql<{ id: string; enabled: boolean }>('SELECT id, enabled FROM webhook_endpoints'))[0];

  it('adds an endpoint, shows its secret once, tests, disables, rotates and deletes it', async () => {
    const page = await newPage(1280, 900);
    await signUpThroughPage(page, 'Hook Owner');

    // Event checkboxes come from the catalog's webhookEvents.
    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByLabel('Description (optional)').fill('local receiver');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect
      .poll(() => page.locator('#status').textContent())
      .toBe('Choose at least one event.');
    await page.getByLabel(/^post\.published —/).check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();

    const secretBox = page.locator('#new-secret-value');
    await expect.poll(() => secretBox.inputValue()).toMatch(/^whsec_/);
    const secret = await secretBox.inputValue();
    await page.getByRole('button', { name: 'Copy secret' }).click();
    await expect
      .poll(() => page.locator('#copy-secret-status').textContent())
      .toBe('Copied to the clipboard.');
    const item = page.locator('.endpoint');
    await expect.poll(() => item.locator('h3').textContent()).toBe(receiver.url);
    await expect.poll(() => item.textContent()).toContain('Enabled');
    await expect.poll(() => item.textContent()).toContain('post.published');

    // Send a test: the receiver gets it, signed with the secret the page showed.
    await page.getByRole('button', { name: `Send a test event to ${receiver.url}` }).click();
    await expect.poll(() => receiver.ofType('webhook.test').length, { timeout: 10_000 }).toBe(1);
    WebhookReceiver.verify(secret, receiver.ofType('webhook.test')[0]);

    // The delivery log shows it delivered; after a reload the secret is gone from the page.
    await expect
      .poll(
        async () =>
          (await t.sql('SELECT 1 FROM webhook_endpoints WHERE last_success_at IS NOT NULL')).length,
        { timeout: 10_000 },
      )
      .toBe(1);
    await page.reload();
    expect(await page.locator('#new-secret').isHidden()).toBe(true);
    expect(await page.content()).not.toContain(secret);
    await expect.poll(() => page.locator('.endpoint dd').nth(2).textContent()).not.toBe('Never');
    const logButton = page.getByRole('button', { name: `Delivery log of ${receiver.url}` });
    await logButton.click();
    await expect.poll(() => logButton.getAttribute('aria-expanded')).toBe('true');
    const logRow = page.locator('.delivery-log tbody tr');
    await expect.poll(() => logRow.first().textContent()).toContain('webhook.test');
    await expect.poll(() => logRow.first().textContent()).toContain('succeeded');
    await page.screenshot({ path: join(ARTIFACTS, 'webhooks-desktop.png'), fullPage: true });

    // Disable, then enable again.
    await page.getByRole('button', { name: `Disable ${receiver.url}` }).click();
    await expect.poll(async () => (await endpointRow()).enabled).toBe(false);
    await expect.poll(() => page.locator('.endpoint').textContent()).toContain('Disabled');
    await page.getByRole('button', { name: `Enable ${receiver.url}` }).click();
    await expect.poll(async () => (await endpointRow()).enabled).toBe(true);

    // Rotate the secret after confirming: a new one is shown once.
    page.once('dialog', (dialog) => void dialog.accept());
    await page
      .getByRole('button', { name: `Rotate the signing secret of ${receiver.url}` })
      .click();
    await expect.poll(() => secretBox.inputValue()).toMatch(/^whsec_/);
    await expect.poll(() => secretBox.inputValue()).not.toBe(secret);
    await expect
      .poll(() => page.locator('#new-secret-for').textContent())
      .toContain('previous one keeps signing');

    // Delete: dismissing the confirmation keeps it, accepting deletes it.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.getByRole('button', { name: `Delete endpoint ${receiver.url}` }).click();
    expect(await endpointRow()).toBeDefined();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: `Delete endpoint ${receiver.url}` }).click();
    await expect.poll(() => page.locator('.endpoint').count()).toBe(0);
    expect(await endpointRow()).toBeUndefined();
    expect(await page.locator('#endpoints-empty').isVisible()).toBe(true);
    expect(cspViolations).toEqual([]);
  });

  it('works by keyboard on a 390 px phone without sideways scrolling', async () => {
    const page = await newPage(390, 844);
    await signUpThroughPage(page, 'Phone Hooks');
    await page.locator('#endpoint-url').focus();
    await page.keyboard.type(`${receiver.url}/with/a/rather/long/path/that/has/to/wrap/somewhere`);
    await page.keyboard.press('Tab');
    await page.keyboard.type('from a phone');
    await page.getByLabel(/^token\.created —/).focus();
    await page.keyboard.press('Space');
    await page.locator('#endpoint-description').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#new-secret-value').inputValue()).toMatch(/^whsec_/);
    await expect.poll(() => page.locator('.endpoint').count()).toBe(1);

    // Keyboard: the log toggle opens with Enter.
    await page.getByRole('button', { name: /^Send a test event/ }).click();
    await expect.poll(() => receiver.ofType('webhook.test').length, { timeout: 10_000 }).toBe(2);
    // The action re-renders the list; focus the button of the new one, not the one it replaces.
    await expect.poll(() => page.locator('#endpoints-list').getAttribute('aria-busy')).toBeNull();
    const logButton = page.getByRole('button', { name: /^Delivery log of/ });
    await logButton.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => logButton.getAttribute('aria-expanded')).toBe('true');
    await expect.poll(() => page.locator('.delivery-log tbody tr').count()).toBe(1);
    const { scroll, client } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(scroll, 'page scrolls sideways').toBeLessThanOrEqual(client);
    await page.screenshot({ path: join(ARTIFACTS, 'webhooks-mobile.png'), fullPage: true });
    expect(cspViolations).toEqual([]);
  });
});
