import type { GatewayConfig } from '../config/schema.js';
import { durationMs } from '../shared/durations.js';
import type { Logger } from '../shared/logger.js';
import { UsageRecorder } from './recorder.js';
import type { UsageWriter } from './usage-writer.js';

/** The recorder with the `storage:` settings of gateway.yaml (batch size and interval, buffer, spool directory). */
export function createUsageRecorder(writer: UsageWriter, storage: GatewayConfig['storage'], logger: Logger, onStored?: (inserted: number) => void): UsageRecorder {
  return new UsageRecorder({
    writer,
    logger,
    batchSize: storage.batch.size,
    intervalMs: durationMs(storage.batch.interval),
    bufferLimit: storage.bufferLimit,
    spoolDir: storage.spoolDir,
    onStored,
  });
}
