import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, loadConfig } from './app-config.js';

const base = () => ({
  DATA_DIR: mkdtempSync(join(tmpdir(), 'gpx-config-')),
  TOKEN_PEPPER: 'test-pepper-0123456789abcdefghijklmnopqrstuvwxyz',
});

describe('TRUST_PROXY', () => {
  it('trusts only a proxy on loopback by default', () => {
    expect(loadConfig(base()).trustProxy).toEqual(['loopback']);
  });

  it('takes a hop count, or addresses, CIDRs and subnet names', () => {
    expect(loadConfig({ ...base(), TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(
      loadConfig({ ...base(), TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8, 192.0.2.7' })
        .trustProxy,
    ).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.7']);
  });

  it.each(['everyone', '10.0.0.0/33', '300.1.1.1', 'loopback,,'])(
    'refuses %s at start, naming the variable',
    (value) => {
      expect(() => loadConfig({ ...base(), TRUST_PROXY: value })).toThrow(ConfigValidationError);
      expect(() => loadConfig({ ...base(), TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
    },
  );
});

describe('workspace settings', () => {
  const base = {
    DATA_DIR: mkdtempSync(join(tmpdir(), 'gpx-config-')),
    TOKEN_PEPPER: 'p'.repeat(32),
  };

  it('defaults to the local controller and the documented limits', () => {
    expect(loadConfig(base).workspace).toMatchObject({
      controllerUrl: undefined,
      sessionLimit: 3,
      runMaxAttempts: 3,
      runConcurrency: 2,
    });
  });

  it('refuses a controller URL without the service credential, and a bad URL', () => {
    expect(() => loadConfig({ ...base, WORKSPACE_CONTROLLER_URL: 'http://ctl:8080' })).toThrow(
      /WORKSPACE_CONTROLLER_URL needs INTERNAL_API_TOKEN/,
    );
    expect(() =>
      loadConfig({
        ...base,
        WORKSPACE_CONTROLLER_URL: 'ftp://ctl',
        INTERNAL_API_TOKEN: 'i'.repeat(32),
      }),
    ).toThrow(/WORKSPACE_CONTROLLER_URL must be an http/);
    expect(
      loadConfig({
        ...base,
        WORKSPACE_CONTROLLER_URL: 'http://ctl:8080/',
        INTERNAL_API_TOKEN: 'i'.repeat(32),
      }).workspace.controllerUrl,
    ).toBe('http://ctl:8080');
  });
});

describe('token policy settings', () => {
  it('defaults to no maximum lifetime, optional expiry, no admin-only scopes, stale after 365 days', () => {
    expect(loadConfig(base()).tokenPolicy).toEqual({
      maxLifetimeDays: null,
      expiryRequired: false,
      adminOnlyScopes: [],
      staleAfterDays: 365,
    });
  });

  it('reads each variable; 0 turns the maximum lifetime and the stale clean-up off', () => {
    expect(
      loadConfig({
        ...base(),
        TOKEN_MAX_LIFETIME_DAYS: '90',
        TOKEN_EXPIRY_REQUIRED: 'true',
        TOKEN_ADMIN_ONLY_SCOPES: ' payouts:manage ,billing:manage',
        TOKEN_STALE_AFTER_DAYS: '0',
      }).tokenPolicy,
    ).toEqual({
      maxLifetimeDays: 90,
      expiryRequired: true,
      adminOnlyScopes: ['billing:manage', 'payouts:manage'],
      staleAfterDays: 0,
    });
    expect(
      loadConfig({ ...base(), TOKEN_MAX_LIFETIME_DAYS: '0' }).tokenPolicy.maxLifetimeDays,
    ).toBe(null);
  });

  it('refuses unknown scopes, out-of-range days and a stale period shorter than the warning, naming each', () => {
    const bad = () =>
      loadConfig({
        ...base(),
        TOKEN_MAX_LIFETIME_DAYS: '400',
        TOKEN_ADMIN_ONLY_SCOPES: 'posts:read,posts:delete',
        TOKEN_STALE_AFTER_DAYS: '20',
        TOKEN_EXPIRY_REQUIRED: 'maybe',
      });
    expect(bad).toThrow(/TOKEN_MAX_LIFETIME_DAYS/);
    expect(bad).toThrow(/TOKEN_ADMIN_ONLY_SCOPES has an unknown scope "posts:delete"/);
    expect(bad).toThrow(/TOKEN_STALE_AFTER_DAYS must be 0 \(off\) or at least 30/);
    expect(bad).toThrow(/TOKEN_EXPIRY_REQUIRED/);
  });
});

describe('mail settings', () => {
  it('writes .eml files by default, from the documented sender', () => {
    expect(loadConfig(base()).mail).toEqual({
      smtpUrl: undefined,
      from: 'GetPaidX <no-reply@getpaidx.local>',
    });
  });

  it('takes an SMTP URL and a sender', () => {
    const config = loadConfig({
      ...base(),
      SMTP_URL: 'smtp://user:secret@mail.example.com:587',
      MAIL_FROM: 'Example <robot@example.com>',
    });
    expect(config.mail).toEqual({
      smtpUrl: 'smtp://user:secret@mail.example.com:587',
      from: 'Example <robot@example.com>',
    });
  });

  it('refuses a bad SMTP URL without echoing it (it may hold a password)', () => {
    const attempt = () => loadConfig({ ...base(), SMTP_URL: 'https://user:hunter2@mail' });
    expect(attempt).toThrow(/SMTP_URL must be an smtp/);
    expect(attempt).not.toThrow(/hunter2/);
  });

  it.each(['nobody', 'A <b@c>\r\nBcc: x@y', '<>'])('refuses MAIL_FROM %j', (value) => {
    expect(() => loadConfig({ ...base(), MAIL_FROM: value })).toThrow(/MAIL_FROM/);
  });
});
