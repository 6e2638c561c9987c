import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { bearer, createToken, signUp } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const ARTIFACTS = join(import.meta.dirname, 'artifacts');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!CHROMIUM && process.env.CI) throw new Error('NO CHROMIUM: apt-get install -y chromium');

/** Settings → API: the rotation note and the unused-scope suggestion, in a real browser. */
describe.skipIf(!CHROMIUM)('web UI: rotating a token and removing unused scopes', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.running.app.listen(0, '127.0.0.1');
    base = (await t.running.app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('suggests removing a scope the token has not used, narrows it, then rotates it with a grace note', async () => {
    const alice = await signUp(t);
    const { token, id } = await createToken(t, alice, ['places:read', 'posts:read'], {
      name: 'feed reader',
    });
    await t.http().get('/api/posts').set(bearer(token)).expect(200);
    await expect
      .poll(() => t.sql('SELECT scope FROM token_scope_usage WHERE token_id = $1', [id]))
      .toEqual([{ scope: 'posts:read' }]);

    const context = await browser.newContext({ baseURL: base });
    const [name, value] = alice.cookie.split('=');
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    await page.goto('/settings/api');
    const row = page.locator(`#tokens-body tr[data-token-id="${id}"]`);
    await expect
      .poll(() => row.textContent())
      .toContain('Not used in the last 30 days: places:read');

    await page.getByRole('button', { name: 'Remove unused scopes from feed reader' }).click();
    await expect
      .poll(() => page.locator('#status').textContent())
      .toContain('now holds posts:read');
    expect(
      (await t.sql('SELECT scopes FROM personal_access_tokens WHERE id = $1', [id]))[0],
    ).toEqual({ scopes: ['posts:read'] });

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Rotate token feed reader' }).click();
    await expect.poll(() => page.locator('#new-token').isVisible()).toBe(true);
    const fresh = await page.locator('#new-token-value').inputValue();
    expect(fresh).toMatch(/^gpx_pat_/);
    await expect
      .poll(() => page.locator('#tokens-body').textContent())
      .toContain('Rotated; old value valid until');
    // Both values work during the grace hour.
    await t.http().get('/api/posts').set(bearer(token)).expect(200);
    await t.http().get('/api/posts').set(bearer(fresh)).expect(200);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({
      path: join(ARTIFACTS, 'settings-api-agent-access.png'),
      fullPage: true,
    });
    await context.close();
  });
});
