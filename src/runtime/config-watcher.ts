import { basename, dirname, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../shared/logger.js';

/**
 * Watches gateway.yaml through its directory, because editors often save by writing a temporary
 * file and renaming it over the original, which ends a watch on the file itself. Bursts of events
 * (truncate + write, rename + chmod) are debounced into one call.
 */
export class ConfigWatcher {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly file: string,
    private readonly onChange: () => void,
    private readonly logger: Logger,
    private readonly debounceMs = 100,
  ) {}

  async start(): Promise<void> {
    const target = resolve(this.file);
    const dir = dirname(target);
    const name = basename(target);
    this.watcher = watch(dir, {
      depth: 0,
      ignoreInitial: true,
      ignored: (path: string) => path !== dir && basename(path) !== name,
    });
    this.watcher.on('all', (_event, path) => {
      if (basename(path) === name) this.schedule();
    });
    this.watcher.on('error', (error) => this.logger.warn({ err: error }, 'config watcher error'));
    await new Promise<void>((ready) => this.watcher?.once('ready', () => ready()));
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.onChange();
    }, this.debounceMs);
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.watcher?.close();
    this.watcher = null;
  }
}
