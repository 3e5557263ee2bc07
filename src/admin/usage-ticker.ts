import { isDeepStrictEqual } from 'node:util';
import { durationMs } from '../shared/durations.js';
import { eventStream, type EventStream } from './event-stream.js';
import type { AdminDeps } from './ports.js';
import { newScope } from './scope.js';
import { resolveRange } from './time-range.js';
import { usageReport, type UsageArgs, type UsageReportView } from './usage-report.js';

/** Re-checked this often even without requests, so rolling presets (TODAY at midnight) move on. */
const IDLE_RECHECK_MS = 30_000;
/** Added to the recorder's batch interval before querying: the record must be in the store first. */
const SETTLE_MARGIN_MS = 150;

/**
 * The stream behind `usageUpdated`: a report at once, then a new one whenever it changed, at most
 * once per `usageTickMs`. A finished request only marks the report dirty; the store is queried
 * when the recorder says its batch is stored, or (another instance's request, a sink without
 * that signal) after the recorder had time to write the record plus one trailing check a tick
 * later, so a burst of requests costs a query per second, not one per request.
 */
export function usageUpdates(deps: AdminDeps, args: UsageArgs): EventStream<UsageReportView> {
  // Bad arguments fail the subscribe call itself instead of surfacing later on the stream.
  resolveRange(args.range, (deps.now ?? Date.now)());
  const tickMs = deps.usageTickMs ?? 1000;
  let last: UsageReportView | null = null;
  let lastTickAt = 0;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let again = false;
  let trailing = false;

  const stream = eventStream<UsageReportView>(() => {
    for (const off of offCompleted) off();
    clearInterval(idle);
    if (timer) clearTimeout(timer);
  });

  const tick = async () => {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = true;
    lastTickAt = Date.now();
    try {
      const report = await usageReport(newScope(deps), args);
      if (last === null || !isDeepStrictEqual({ ...last, at: 0 }, { ...report, at: 0 })) {
        last = report;
        stream.push(report);
      }
    } catch (error) {
      deps.logger.warn({ err: error }, 'usageUpdated: usage query failed; retrying on the next change');
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      schedule(0);
    } else if (trailing) {
      trailing = false;
      schedule(tickMs);
    }
  };

  const schedule = (delayMs: number) => {
    const due = Math.max(lastTickAt + tickMs, Date.now() + delayMs);
    if (timer !== null) return;
    timer = setTimeout(() => void tick(), due - Date.now());
    timer.unref();
  };

  const onCompleted = () => {
    trailing = true;
    schedule(durationMs(deps.holder.current().config.storage.batch.interval) + SETTLE_MARGIN_MS);
  };
  // This instance's records are in the store: read now (at most once per tick). Under load a
  // write can take longer than the guess above and its trailing check together.
  const onStored = () => schedule(0);
  // Other instances write to the same store: their requests change the report too (their writes
  // are only known by the guess).
  const offCompleted = [
    deps.bus.subscribe('request.completed', onCompleted),
    deps.bus.subscribe('remote.request.completed', onCompleted),
    deps.bus.subscribe('usage.stored', onStored),
  ];
  const idle = setInterval(() => schedule(0), IDLE_RECHECK_MS);
  idle.unref();
  void tick();
  return stream;
}
