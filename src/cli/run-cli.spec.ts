import { type CliCommand, EXIT, executeCli, UsageError } from './run-cli.js';

/** A command that must never boot: these cases fail before the app would start. */
function command(overrides: Partial<CliCommand<{ value: string }>>): CliCommand<{ value: string }> {
  return {
    usage: 'npm run example -- <value>',
    parseArgs([value]) {
      if (!value) throw new UsageError('Give a value.');
      return { value };
    },
    run: () => Promise.reject(new Error('must not run')),
    ...overrides,
  };
}

describe('CLI runner', () => {
  let stderr: string[];
  beforeEach(() => {
    stderr = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('answers wrong arguments with the usage line and exit code 2, before booting', async () => {
    let cleanedUp = false;
    const code = await executeCli(command({ cleanup: () => (cleanedUp = true) }), [], {});
    expect(code).toBe(EXIT.usage);
    expect(stderr.join('')).toBe('Give a value.\nusage: npm run example -- <value>\n');
    expect(cleanedUp).toBe(true);
  });

  it('answers an invalid configuration with its problems and exit code 78', async () => {
    const code = await executeCli(command({}), ['x'], { PORT: 'abc' });
    expect(code).toBe(EXIT.config);
    expect(stderr.join('')).toContain('PORT must be a whole number from 0 to 65535 (got "abc")');
  });
});
