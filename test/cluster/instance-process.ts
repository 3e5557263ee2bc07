import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { graphqlData, graphqlSocket } from '../admin/admin-harness.js';
import { waitFor } from '../helpers/wait.js';

/** The real built CLI (`npm test` builds first; run `npm run build` before this folder alone). */
const BIN = fileURLToPath(new URL('../../bin/codex-lb.js', import.meta.url));

/** One key for every instance of a test cluster: they must all open each other's sealed tokens. */
export const CLUSTER_ENCRYPTION_KEY = 'a1'.repeat(32);

/**
 * One gateway instance as users run it: `node bin/codex-lb.js start --config <its own copy of
 * gateway.yaml>` in a directory of its own, with its instance id and the cluster's encryption key
 * in the environment. Its JSON log lines are kept for assertions.
 */
export class InstanceProcess {
  readonly graphqlUrl: string;
  private exitCode: number | null = null;

  private constructor(
    readonly id: string,
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly file: string,
    private readonly output: { text: string },
    readonly exited: Promise<number | null>,
  ) {
    this.graphqlUrl = `${url}/graphql`;
    void exited.then((code) => (this.exitCode = code));
  }

  static async start(id: string, yaml: string, env: NodeJS.ProcessEnv = {}): Promise<InstanceProcess> {
    const dir = mkdtempSync(join(tmpdir(), `codex-lb-${id}-`));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, yaml);
    const child = spawn(process.execPath, [BIN, 'start', '--config', file, '--no-watch'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, CODEX_LB_INSTANCE_ID: id, CODEX_LB_ENCRYPTION_KEY: CLUSTER_ENCRYPTION_KEY, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { text: '' };
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output.text += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output.text += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let gone = false;
    void exited.then(() => (gone = true));
    const url = await waitFor(
      () => {
        if (gone) throw new Error(`instance ${id} exited during startup:\n${output.text}`);
        return /listening on (http:\/\/[^"\s]+)/.exec(output.text)?.[1];
      },
      { what: `instance ${id} to listen`, timeoutMs: 30_000 },
    ).catch((error: unknown) => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw error;
    });
    return new InstanceProcess(id, url, child, dir, file, output, exited);
  }

  /** Log messages (`msg`) so far, in order. */
  messages(): string[] {
    return this.output.text.split('\n').flatMap((line) => {
      try {
        const parsed = JSON.parse(line) as { msg?: unknown };
        return typeof parsed.msg === 'string' ? [parsed.msg] : [];
      } catch {
        return [];
      }
    });
  }

  /** Replaces this instance's gateway.yaml (it watches nothing: reload it through the admin API). */
  writeConfig(yaml: string): void {
    writeFileSync(this.file, yaml);
  }

  get log(): string {
    return this.output.text;
  }

  client(apiKey: string): OpenAI {
    return new OpenAI({ apiKey, baseURL: `${this.url}/v1`, maxRetries: 0 });
  }

  gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    return graphqlData<T>(this.graphqlUrl, query, variables);
  }

  socket() {
    return graphqlSocket(this.graphqlUrl);
  }

  /** SIGTERM and wait for the exit (SIGKILL after 15 s); the directory goes with it. */
  async stop(): Promise<void> {
    if (this.exitCode === null && this.child.exitCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
