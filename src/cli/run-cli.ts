/**
 * The one runner behind every command in src/cli/: parse the arguments (before anything boots),
 * load the configuration, boot the app with its database, run the command, close cleanly, and
 * exit with a code scripts can rely on.
 */
import { createApplication, type RunningApp } from '../bootstrap.js';
import { type AppConfig, ConfigValidationError, loadConfig } from '../config/index.js';

/** Exit codes: 0 done, 1 the command failed, 2 wrong arguments, 78 invalid configuration. */
export const EXIT = { ok: 0, failed: 1, usage: 2, config: 78 } as const;

/** Wrong or missing arguments: reported with the command's usage line, exit code 2. */
export class UsageError extends Error {}

/** An expected failure (e.g. no such user): its message is the whole report, exit code 1. */
export class CliFailure extends Error {}

export interface CliCommand<Args> {
  /** e.g. `npm run admin:grant -- <email>` */
  usage: string;
  /** Reads process.argv (after the script); throws UsageError when they do not fit. */
  parseArgs(argv: readonly string[]): Args;
  /** The configuration to boot with; by default the server's own (from the environment). */
  config?(args: Args, env: NodeJS.ProcessEnv): AppConfig;
  /** The work, on a booted app; returns what to report on stdout. */
  run(running: RunningApp, args: Args): Promise<string>;
  /** Runs after the app is closed, whether the command succeeded or not. */
  cleanup?(): void;
}

/** Runs a command and resolves to its exit code; it never throws. */
export async function executeCli<Args>(
  command: CliCommand<Args>,
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  try {
    const args = command.parseArgs(argv);
    // Commands keep their output to what they report; the app's own logs only when they matter.
    const config = command.config?.(args, env) ?? { ...loadConfig(env), logLevel: 'warn' };
    const running = await createApplication(config);
    let report: string;
    try {
      report = await command.run(running, args);
    } finally {
      await running.close();
    }
    process.stdout.write(report.endsWith('\n') ? report : `${report}\n`);
    return EXIT.ok;
  } catch (error) {
    return reportFailure(command, error);
  } finally {
    command.cleanup?.();
  }
}

/** For a CLI file's last line: runs the command and exits the process with its code. */
export function runCli<Args>(command: CliCommand<Args>): void {
  void executeCli(command).then((code) => process.exit(code));
}

function reportFailure<Args>(command: CliCommand<Args>, error: unknown): number {
  const write = (text: string) => process.stderr.write(`${text}\n`);
  if (error instanceof UsageError) {
    write(`${error.message}\nusage: ${command.usage}`);
    return EXIT.usage;
  }
  if (error instanceof ConfigValidationError) {
    write(error.message);
    return EXIT.config;
  }
  if (error instanceof CliFailure) {
    write(error.message);
    return EXIT.failed;
  }
  // Unexpected: the stack says where.
  write(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return EXIT.failed;
}
