import {
  digestSecret,
  generatePat,
  isWellFormedPat,
  PAT_LENGTH,
  patChecksum,
  PAT_PREFIX,
} from './pat-format.js';

describe('PAT format', () => {
  it('generates gpx_pat_ + 32 base62 + a 6-character checksum that validates', () => {
    const token = generatePat();
    expect(token).toMatch(/^gpx_pat_[0-9A-Za-z]{38}$/);
    expect(token).toHaveLength(PAT_LENGTH);
    expect(isWellFormedPat(token)).toBe(true);
    const body = token.slice(PAT_PREFIX.length, PAT_PREFIX.length + 32);
    expect(token.endsWith(patChecksum(body))).toBe(true);
  });

  it('rejects a token whose checksum does not match its body', () => {
    const token = generatePat();
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect(isWellFormedPat(token.slice(0, -1) + last)).toBe(false);
    const flippedBody = token.slice(0, 10) + (token[10] === 'x' ? 'y' : 'x') + token.slice(11);
    expect(isWellFormedPat(flippedBody)).toBe(false);
  });

  it('rejects wrong prefixes, lengths and alphabets', () => {
    const token = generatePat();
    expect(isWellFormedPat(token.replace('gpx_pat_', 'ghp_pat_'))).toBe(false);
    expect(isWellFormedPat(token.slice(0, -1))).toBe(false);
    expect(isWellFormedPat(token.slice(0, 20) + '-' + token.slice(21))).toBe(false);
  });

  it('generates distinct tokens and digests them with the pepper', () => {
    const a = generatePat();
    const b = generatePat();
    expect(a).not.toBe(b);
    expect(digestSecret('p1', a)).toMatch(/^[0-9a-f]{64}$/);
    expect(digestSecret('p1', a)).not.toBe(digestSecret('p2', a));
  });
});
