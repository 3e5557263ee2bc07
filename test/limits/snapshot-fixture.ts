import { hasErrors, formatIssue } from '../../src/config/issues.js';
import { loadConfigText } from '../../src/config/load.js';
import { buildSnapshot, type Snapshot, type ValidConfig } from '../../src/runtime/snapshot.js';

/** A snapshot from gateway.yaml text (throws with the issues when it is invalid). */
export function snapshotOf(yaml: string, version = 1, env: NodeJS.ProcessEnv = {}): Snapshot {
  const loaded = loadConfigText(yaml, 'gateway.yaml', env);
  if (loaded.config === null || hasErrors(loaded.issues)) {
    throw new Error(`invalid test config:\n${loaded.issues.map(formatIssue).join('\n')}`);
  }
  return buildSnapshot(loaded as ValidConfig, version);
}

/** Two accounts, three models and whatever policies/keys the test adds. */
export function limitsConfig(extra: string, options: { auth?: boolean; accountPolicies?: { a?: string[]; b?: string[] } } = {}): string {
  const pa = JSON.stringify(options.accountPolicies?.a ?? []);
  const pb = JSON.stringify(options.accountPolicies?.b ?? []);
  return `server: { host: 127.0.0.1, port: 0 }
storage: { url: "sqlite::memory:" }
auth: { enabled: ${options.auth ?? true} }
accounts:
  - { id: acct-a, kind: openai, baseUrl: "http://127.0.0.1:9/v1", apiKey: test-key-a, policies: ${pa} }
  - { id: acct-b, kind: openai, baseUrl: "http://127.0.0.1:9/v1", apiKey: test-key-b, policies: ${pb} }
models:
  - { id: gpt-4o, aliases: [four-o] }
  - { id: gpt-4o-mini }
  - { id: o3 }
${extra}`;
}

/** Polls until `check` is truthy (windows are real seconds; never sleep-and-assert tightly). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 8_000, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
