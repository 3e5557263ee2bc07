import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A gateway.yaml in its own temporary directory, written the ways editors write files. */
export class TempConfig {
  readonly dir = mkdtempSync(join(tmpdir(), 'codex-lb-test-'));
  readonly path = join(this.dir, 'gateway.yaml');

  constructor(text: string) {
    writeFileSync(this.path, text);
  }

  read(): string {
    return readFileSync(this.path, 'utf8');
  }

  /** In place, as `echo > file` does. */
  write(text: string): void {
    writeFileSync(this.path, text);
  }

  /** Write a temporary file and rename it over the original, as many editors save. */
  writeByRename(text: string): void {
    const temp = join(this.dir, `.gateway.yaml.${process.pid}.tmp`);
    writeFileSync(temp, text);
    renameSync(temp, this.path);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A minimal valid config listening on an ephemeral port, with the given models. */
export function configWithModels(models: string[], extra = ''): string {
  const list = models.map((id) => `  - { id: ${id}, accounts: [up] }`).join('\n');
  return `server: { host: 127.0.0.1, port: 0 }
storage: { url: "sqlite::memory:" }
accounts:
  - { id: up, kind: openai, baseUrl: "http://127.0.0.1:9/v1", apiKey: test-key }
models:
${list}
${extra}`;
}
