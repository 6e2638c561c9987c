import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { bearer } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Debian's Chromium; the tests never download a browser. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const ARTIFACTS = join(import.meta.dirname, 'artifacts');

if (!CHROMIUM) {
  const message =
    'NO CHROMIUM: browser tests of the web UI are SKIPPED. Install it with: apt-get install -y chromium';
  if (process.env.CI) throw new Error(message);
  console.warn(`\n${'!'.repeat(message.length)}\n${message}\n${'!'.repeat(message.length)}\n`);
}

describe.skipIf(!CHROMIUM)('web UI in a real browser: sign-in and Settings → API', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
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

  async function noHorizontalScroll(page: Page): Promise<void> {
    const { scroll, client } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(scroll, 'page scrolls sideways').toBeLessThanOrEqual(client);
  }

  it('signs up and in, creates a token, uses it, and deletes it through the page', async () => {
    const page = await newPage(1280, 900);
    const email = `browser-${Date.now()}@example.com`;
    const password = 'a browser password';

    // `/` sends a visitor without a session to the sign-in page.
    await page.goto('/');
    await page.waitForURL('**/login');
    const loginResponse = await page.goto('/login');
    expect(loginResponse!.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(loginResponse!.headers()['content-security-policy']).not.toContain('unsafe-inline');
    await page.screenshot({ path: join(ARTIFACTS, 'login-desktop.png'), fullPage: true });

    // Sign up through the form.
    await page.getByLabel('Display name').fill('Browser Tester');
    await page.locator('#signup-email').fill(email);
    await page.locator('#signup-password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/settings/api');
    await expect.poll(() => page.locator('#whoami').textContent()).toBe(email);

    // Sign out, then sign in through the form.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await page.locator('#login-email').fill(email);
    await page.locator('#login-password').fill('wrong password!!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.locator('#login-status').textContent())
      .toBe('The email or password is wrong.');
    await page.locator('#login-password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/settings/api');

    // API errors are shown in words.
    await page.getByLabel('Name').fill('no scopes');
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect
      .poll(() => page.locator('#status').textContent())
      .toBe('Choose at least one scope.');

    // Create a token with two scopes and read its raw value from the page.
    await page.getByLabel('Name').fill('browser token');
    await page.getByLabel(/^posts:read —/).check();
    await page.getByLabel(/^places:read —/).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const valueBox = page.locator('#new-token-value');
    await expect.poll(() => valueBox.inputValue()).toMatch(/^gpx_pat_[0-9A-Za-z]{38}$/);
    const token = await valueBox.inputValue();
    await expect
      .poll(() => page.locator('#new-token').textContent())
      .toContain("won't be shown again");
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.screenshot({ path: join(ARTIFACTS, 'settings-api-desktop.png'), fullPage: true });

    // The test uses the token like any script would.
    const me = await t.http().get('/api/me').set(bearer(token)).expect(200);
    expect(me.body.scopes).toEqual(['places:read', 'posts:read']);

    // After a reload the raw value is gone, while the token is still listed.
    await page.reload();
    await expect.poll(() => page.locator('#tokens-body tr').count()).toBe(1);
    expect(await page.locator('#new-token').isHidden()).toBe(true);
    expect(await valueBox.inputValue()).toBe('');
    expect(await page.content()).not.toContain(token);
    await expect.poll(() => page.locator('#tokens-body').textContent()).toContain('browser token');

    // Delete it through the page (after confirming); the same call then fails with 401.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete token browser token' }).click();
    await expect.poll(() => page.locator('#tokens-body tr').count()).toBe(0);
    const after = await t.http().get('/api/me').set(bearer(token)).expect(401);
    expect(after.body.code).toBe('invalid_token');
    expect(cspViolations).toEqual([]);
  });

  it('handles a sign-in clicked before the page has asked about the session: no native submission, no password in a URL', async () => {
    const page = await newPage(1280, 900);
    const requested: string[] = [];
    page.on('request', (r) => requested.push(`${r.method()} ${r.url()}`));
    // Hold the page's session check back, so the click certainly comes before its answer.
    let answerSessionCheck!: () => void;
    const held = new Promise<void>((resolve) => (answerSessionCheck = resolve));
    await page.route('**/api/auth/session', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto('/login');
    await page.locator('#login-email').fill('nobody@example.com');
    await page.locator('#login-password').fill('wrong password!!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.locator('#login-status').textContent())
      .toBe('The email or password is wrong.');
    answerSessionCheck();
    await expect.poll(() => requested.some((r) => r.endsWith('/api/auth/session'))).toBe(true);
    expect(requested.filter((r) => /password|email=/.test(r))).toEqual([]);
    expect(requested.filter((r) => r.startsWith('POST '))).toEqual([`POST ${base}/api/auth/login`]);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.context().close();
  });

  it('fits a 390 px phone without sideways scrolling, and is usable by keyboard', async () => {
    const page = await newPage(390, 844);
    await page.goto('/login');
    await noHorizontalScroll(page);
    await page.screenshot({ path: join(ARTIFACTS, 'login-mobile.png'), fullPage: true });

    const email = `phone-${Date.now()}@example.com`;
    // Keyboard only: tab to the sign-up fields, type, and submit with Enter.
    await page.locator('#signup-name').focus();
    await page.keyboard.type('Phone User');
    await page.keyboard.press('Tab');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('a phone password');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/settings/api');
    await page.getByLabel('Name').fill('a phone token with a rather long name to wrap');
    await page.getByLabel(/^webhooks:manage —/).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect.poll(() => page.locator('#tokens-body tr').count()).toBe(1);
    await noHorizontalScroll(page);
    const outline = await page.locator('#token-name').evaluate((el) => {
      (el as HTMLElement).focus();
      return getComputedStyle(el).outlineStyle;
    });
    expect(outline).not.toBe('none');
    await page.screenshot({ path: join(ARTIFACTS, 'settings-api-mobile.png'), fullPage: true });
    expect(cspViolations).toEqual([]);
  });
});
