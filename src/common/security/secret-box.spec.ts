import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, and the sealed form does not contain the secret', () => {
    const sealed = box.seal('whsec_top-secret', 'webhook-endpoint:1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('top-secret');
    expect(box.open(sealed, 'webhook-endpoint:1')).toBe('whsec_top-secret');
  });

  it('seals the same secret differently each time (random IV)', () => {
    expect(box.seal('x', 'c')).not.toBe(box.seal('x', 'c'));
  });

  it('refuses another context, another key, and a tampered ciphertext', () => {
    const sealed = box.seal('secret', 'row:1');
    expect(() => box.open(sealed, 'row:2')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'row:1')).toThrow();
    const parts = sealed.split('.');
    parts[2] = Buffer.from('Xecret').toString('base64url');
    expect(() => box.open(parts.join('.'), 'row:1')).toThrow();
    expect(() => box.open('plain', 'row:1')).toThrow('Not a sealed secret');
  });
});
