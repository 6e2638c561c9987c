// `node --import ./test/support/ts-loader/register.mjs src/main.ts`: runs the server from its
// TypeScript sources in a child process (the crash test kills it with SIGKILL), compiled by SWC
// with the same decorator settings as vitest.config.ts, so no build is needed first.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
