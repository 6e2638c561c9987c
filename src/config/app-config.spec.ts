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
