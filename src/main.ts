import { checkNodeVersion } from './node-support.js';

// Checked before anything else is imported: on an unsupported Node.js the imports below would
// fail with an error about ES modules rather than with this one clear line.
const support = checkNodeVersion(process.version);
if (support.verdict === 'unsupported') {
  process.stderr.write(`${support.message}\n`);
  process.exit(1);
}
try {
  const { serve } = await import('./server.js');
  await serve(support.verdict === 'end_of_life' ? support.message : undefined);
} catch (error: unknown) {
  process.stderr.write(
    `GetPaidX API failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
