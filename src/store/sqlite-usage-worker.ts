import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { UsageRecord } from '../usage/usage-record.js';
import { applySqlitePragmas } from './sqlite-pragmas.js';
import { sqliteSession } from './sqlite-session.js';
import { SqlUsageWriter } from './sql-usage-writer.js';
import type { WorkerReply, WorkerRequest } from './sqlite-usage-thread.js';

/**
 * The usage writer's thread (see sqlite-usage-thread.ts): its own connection to the SQLite file,
 * the same writer as on the main thread, one batch at a time in arrival order.
 */
const { file, busyTimeoutMs } = workerData as { file: string; busyTimeoutMs: number };
const db = new Database(file, { timeout: busyTimeoutMs });
db.pragma('journal_mode = WAL');
applySqlitePragmas(db);
const writer = new SqlUsageWriter(sqliteSession(db), 'sqlite');
const port = parentPort;
if (port === null) throw new Error('sqlite-usage-worker.ts runs as a worker thread');

let queue: Promise<void> = Promise.resolve();
port.on('message', (message: WorkerRequest) => {
  if (message.kind === 'close') {
    queue = queue.then(() => {
      db.close();
      port.close();
    });
    return;
  }
  queue = queue.then(() => write(message.id, message.records));
});

async function write(id: number, records: readonly UsageRecord[]): Promise<void> {
  let reply: WorkerReply;
  try {
    reply = { id, ok: true, result: await writer.write(records) };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    reply = { id, ok: false, message: e.message, code: (e as { code?: unknown }).code === undefined ? null : String((e as { code?: unknown }).code) };
  }
  port?.postMessage(reply);
}
