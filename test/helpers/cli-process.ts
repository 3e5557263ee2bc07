import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

/** The real built CLI as users run it (`npm test` builds first). */
export const CLI_BIN = fileURLToPath(new URL('../../bin/codex-lb.js', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  /** The URL from the "listening on" line, once it is printed. */
  url: () => Promise<string>;
}

/** `node bin/codex-lb.js start <args>` in `cwd`, with a bare environment (PATH, HOME=cwd). */
export function startCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [CLI_BIN, 'start', ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = () => waitFor(() => /listening on (http:\/\/[^"\s]+)/.exec(out)?.[1], { what: `listening line in ${out}${err}` });
  return { child, stdout: () => out, stderr: () => err, exited, url };
}
