import { checkNodeVersion } from './node-support.js';

const on = (date: string) => new Date(`${date}T12:00:00Z`);

describe('the Node.js version check at start', () => {
  it.each([
    ['v18.20.4', 'an old line'],
    ['v20.18.3', 'Node 20 before require(esm) was unflagged'],
    ['v21.7.3', 'an odd line before 23'],
    ['v22.11.0', 'Node 22 before require(esm) was unflagged'],
  ])('refuses %s (%s) with one line naming the supported range', (version) => {
    const support = checkNodeVersion(version, on('2026-01-01'));
    expect(support.verdict).toBe('unsupported');
    expect(support).toMatchObject({ message: expect.stringContaining(version) as string });
    expect((support as { message: string }).message).toContain('^20.19.0 || ^22.12.0');
    expect((support as { message: string }).message).not.toContain('\n');
  });

  it('accepts 20.19, 22.12 and 24 while their lines are maintained', () => {
    expect(checkNodeVersion('v20.19.0', on('2026-04-29')).verdict).toBe('supported');
    expect(checkNodeVersion('v22.12.0', on('2026-11-28')).verdict).toBe('supported');
    expect(checkNodeVersion('v24.11.1', on('2026-11-28')).verdict).toBe('supported');
  });

  it('warns on a line past its end of life, from that day on', () => {
    expect(checkNodeVersion('v20.20.2', on('2026-04-30'))).toEqual({
      verdict: 'end_of_life',
      message: expect.stringContaining('Node.js 20 reached end of life on 2026-04-30') as string,
    });
    expect(checkNodeVersion('v22.20.0', on('2027-05-01')).verdict).toBe('end_of_life');
    expect(checkNodeVersion('v25.2.0', on('2026-11-28')).verdict).toBe('end_of_life');
  });

  it('lets a line it does not know yet run without a warning', () => {
    expect(checkNodeVersion('v28.0.0', on('2028-05-01')).verdict).toBe('supported');
    expect(checkNodeVersion('not-a-version').verdict).toBe('supported');
  });
});
