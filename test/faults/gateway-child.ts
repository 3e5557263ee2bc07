import { startGateway } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';

/**
 * A gateway in a process of its own, for the bad-input campaign: the test measures this
 * process's memory (after a forced GC: run with --expose-gc) and sees whether it stays up.
 * Talks to the parent over the IPC channel; error-level log lines go to stderr.
 *
 *   parent → child: 'memory' | 'close'
 *   child → parent: { type: 'listening', url } | { type: 'memory', heapUsed, rss } | { type: 'failed', message }
 */
export type ChildMessage =
  | { type: 'listening'; url: string; pid: number }
  | { type: 'memory'; heapUsed: number; rss: number }
  | { type: 'failed'; message: string };

const send = (message: ChildMessage): void => void process.send?.(message);
const collect = globalThis.gc;

try {
  const gateway = await startGateway({
    configPath: process.argv[2],
    watch: false,
    env: {},
    logger: createLogger({ level: 'error', destination: process.stderr }),
  });
  process.on('message', (message: unknown) => {
    if (message === 'memory') {
      // Twice: the first pass can leave objects whose finalizers free more on the second.
      collect?.();
      collect?.();
      const usage = process.memoryUsage();
      send({ type: 'memory', heapUsed: usage.heapUsed, rss: usage.rss });
    } else if (message === 'close') {
      void gateway.close().then(() => process.exit(0));
    }
  });
  send({ type: 'listening', url: gateway.url, pid: process.pid });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
