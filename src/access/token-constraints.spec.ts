import {
  cidrWithin,
  constraintsSummary,
  exceedsParent,
  ipAllowed,
  normaliseAllowedIps,
  normaliseCidr,
} from './token-constraints.js';

describe('token constraints', () => {
  it.each([
    ['203.0.113.7/24', '203.0.113.0/24'],
    ['203.0.113.7', '203.0.113.7/32'],
    ['2001:DB8::1', '2001:db8::1/128'],
    ['2001:db8:abcd:12::/48', '2001:db8:abcd::/48'],
    [' 10.0.0.1/8 ', '10.0.0.0/8'],
    ['10.0.0.0/33', null],
    ['10.1', null],
    ['0x0a.0.0.1', null],
    ['example.com', null],
    ['', null],
  ])('normalises %j to %j', (input, expected) => {
    expect(normaliseCidr(input)).toBe(expected);
  });

  it('drops repeats after normalising and reports what is not a CIDR', () => {
    expect(normaliseAllowedIps(['10.0.0.1/8', '10.2.3.4/8', 'nope', '::1'])).toEqual({
      cidrs: ['10.0.0.0/8', '::1/128'],
      invalid: ['nope'],
    });
  });

  it('matches IPv4-mapped IPv6 client addresses against IPv4 ranges, never across families', () => {
    expect(ipAllowed('::ffff:10.1.2.3', ['10.0.0.0/8'])).toBe(true);
    expect(ipAllowed('10.1.2.3', ['::ffff:10.0.0.0/104'])).toBe(true);
    expect(ipAllowed('10.1.2.3', ['2001:db8::/32'])).toBe(false);
    expect(ipAllowed('not-an-ip', ['0.0.0.0/0'])).toBe(false);
    expect(ipAllowed(null, ['0.0.0.0/0'])).toBe(false);
  });

  it('knows when one range lies inside another', () => {
    expect(cidrWithin('10.1.0.0/16', '10.0.0.0/8')).toBe(true);
    expect(cidrWithin('10.0.0.0/8', '10.0.0.0/8')).toBe(true);
    expect(cidrWithin('10.0.0.0/7', '10.0.0.0/8')).toBe(false);
    expect(cidrWithin('11.0.0.0/16', '10.0.0.0/8')).toBe(false);
    expect(cidrWithin('2001:db8:1::/48', '2001:db8::/32')).toBe(true);
    expect(cidrWithin('10.0.0.0/16', '2001:db8::/32')).toBe(false);
  });

  it('names what a child asks beyond its parent, per dimension', () => {
    const parent = { allowedIps: ['10.0.0.0/8'], resources: { posts: ['a', 'b'] } };
    expect(exceedsParent(parent, parent)).toEqual({ allowedIps: [], posts: [] });
    expect(
      exceedsParent(parent, {
        allowedIps: ['10.1.0.0/16', '192.0.2.0/24'],
        resources: { posts: ['a', 'c'] },
      }),
    ).toEqual({ allowedIps: ['192.0.2.0/24'], posts: ['c'] });
    expect(exceedsParent(parent, { allowedIps: null, resources: null })).toEqual({
      allowedIps: ['(any address)'],
      posts: ['(all posts)'],
    });
    // An unconstrained parent allows anything in that dimension.
    const open = { allowedIps: null, resources: null };
    expect(
      exceedsParent(open, { allowedIps: ['192.0.2.0/24'], resources: { posts: ['z'] } }),
    ).toEqual({ allowedIps: [], posts: [] });
  });

  it('summarises constraints for X-Token-Constraints', () => {
    expect(constraintsSummary({ allowedIps: null, resources: null })).toBeNull();
    expect(
      constraintsSummary({ allowedIps: ['10.0.0.0/8', '::1/128'], resources: { posts: ['a'] } }),
    ).toBe('ips=2; posts=1');
  });
});
