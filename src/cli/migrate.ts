import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { formatIssue } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import { resolveStoragePaths } from '../config/storage-paths.js';
import { createLogger } from '../shared/logger.js';
import { checkExitCode } from './check.js';
import { EXIT, type CliIo } from './io.js';

export interface MigrateOptions {
  config: string;
}

/**
 * `codex-lb migrate`: brings the usage store named by `storage.url` to the latest schema, as
 * the gateway does at startup, so a deployment can migrate before the new version starts.
 * Exit 0 migrated or already up to date, 1 invalid config or failed migration, 2 unreadable file.
 */
export async function migrateCommand(options: MigrateOptions, io: CliIo): Promise<number> {
  const loaded = await loadConfigFile(options.config, io.env);
  if (loaded.config === null) {
    const errors = loaded.issues.filter((issue) => issue.severity === 'error');
    io.err(`${errors.map(formatIssue).join('\n')}\n`);
    return checkExitCode(loaded);
  }
  // TypeORM and the drivers load only for this command; decorators need reflect-metadata first.
  await import('reflect-metadata');
  const { runMigrations } = await import('../store/migrate.js');
  const { describeStorageUrl, parseStorageUrl } = await import('../store/storage-url.js');
  // Relative SQLite paths are the config file's, as when the gateway starts; messages show the URL as written.
  const url = resolveStoragePaths(loaded.config.storage, options.config).url;
  // An interpolated value is a secret as a whole; a literal URL is shown with its password masked.
  const store = loaded.interpolatedPaths.has('storage.url') ? 'storage.url' : describeStorageUrl(loaded.config.storage.url);
  try {
    const location = parseStorageUrl(url);
    // A fresh checkout has no ./data yet: SQLite creates the file, not its directory.
    if (location.dialect === 'sqlite' && location.path !== ':memory:') await mkdir(dirname(location.path), { recursive: true });
    const applied = await runMigrations(url, createLogger({ level: 'warn', destination: errStream(io) }));
    io.out(applied.length === 0 ? `${store}: schema is up to date\n` : `${store}: applied ${applied.join(', ')}\n`);
    return EXIT.ok;
  } catch (error) {
    io.err(`error: cannot migrate ${store}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.invalid;
  }
}

/** The store's own log lines (warnings and errors only) go to stderr with the CLI's messages. */
function errStream(io: CliIo): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      io.err(chunk.toString());
      done();
    },
  });
}
