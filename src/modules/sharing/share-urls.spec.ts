import { postPageUrl, profilePageUrl, referralLinkUrl, withReferral } from './share-urls.js';

describe('share URLs', () => {
  const base = 'https://getpaidx.example';

  it('builds the documented pages on the public base', () => {
    expect(postPageUrl(base, 'p1')).toBe('https://getpaidx.example/posts/p1');
    expect(profilePageUrl(base, 'u1')).toBe('https://getpaidx.example/creators/u1');
    expect(referralLinkUrl(base, 'Spring_Launch-1')).toBe(
      'https://getpaidx.example/go/Spring_Launch-1',
    );
  });

  it('keeps the referral code as ?ref, replacing an earlier one and keeping other parameters', () => {
    expect(withReferral(`${base}/posts/p1`, 'abc')).toBe(`${base}/posts/p1?ref=abc`);
    expect(withReferral(`${base}/posts/p1?utm=x&ref=old`, 'new')).toBe(
      `${base}/posts/p1?utm=x&ref=new`,
    );
  });
});
