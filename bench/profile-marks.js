// Preloaded (`node --import`) into the server that `npm run bench:profile` profiles: each SIGUSR2
// appends the current monotonic time in microseconds (the clock V8 stamps profile samples with)
// to PROFILE_MARKS, so the report can keep only the samples taken under load.
import { appendFileSync } from 'node:fs';

process.on('SIGUSR2', () => {
  appendFileSync(process.env.PROFILE_MARKS, `${process.hrtime.bigint() / 1000n}\n`);
});
