/**
 * `npm run admin:grant -- <email>`: gives an existing user the admin role. Uses the same
 * configuration (DATABASE_URL or the embedded database in DATA_DIR) as the server.
 */
import { UsersService } from '../modules/account/index.js';
import { CliFailure, runCli, UsageError } from './run-cli.js';

runCli({
  usage: 'npm run admin:grant -- <email>',
  parseArgs([email]) {
    if (!email) throw new UsageError('Give the email address of the user.');
    return { email };
  },
  async run(running, { email }) {
    const user = await running.app.get(UsersService).grantAdmin(email);
    if (!user) throw new CliFailure(`No user with email ${email}; they must sign up first.`);
    return `${user.email} is now an admin.`;
  },
});
