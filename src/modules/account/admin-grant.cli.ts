/**
 * `npm run admin:grant -- <email>`: gives an existing user the admin role. Uses the same
 * configuration (DATABASE_URL or the embedded database in DATA_DIR) as the server.
 */
import { createApplication } from '../../bootstrap.js';
import { loadConfig } from '../../config/index.js';
import { UsersService } from './users/users.service.js';

async function main(): Promise<void> {
  const email = process.argv[2];
  if (!email) throw new Error('usage: npm run admin:grant -- <email>');
  const running = await createApplication({ ...loadConfig(), logLevel: 'warn' });
  try {
    const user = await running.app.get(UsersService).grantAdmin(email);
    if (!user) throw new Error(`No user with email ${email}; they must sign up first.`);
    process.stdout.write(`${user.email} is now an admin.\n`);
  } finally {
    await running.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
