/**
 * Where a command writes and what it reads from its surroundings. The real CLI uses the process;
 * tests may pass their own to run commands in-process.
 */
export interface CliIo {
  /** Results: what a script would capture. */
  out(text: string): void;
  /** Errors and notes for the person at the terminal. */
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
  };
}

/** Exit codes shared by every command, documented in the README's CLI reference. */
export const EXIT = {
  ok: 0,
  /** The config is invalid, or the command failed. */
  invalid: 1,
  /** Usage error, or a file that cannot be read. */
  usage: 2,
} as const;

/** The config file a command uses when none is given: `$CODEX_LB_CONFIG`, else `./gateway.yaml`. */
export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.CODEX_LB_CONFIG;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'gateway.yaml';
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}
