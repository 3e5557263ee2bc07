import { parseDuration } from '../shared/durations.js';
import type { TimeRange } from '../usage/usage-query.js';
import { badInput } from './errors.js';

/** The `TimeRangeInput` of the SDL, as graphql-js hands it over (DateTime already parsed). */
export interface TimeRangeArg {
  preset?: RangePreset | null;
  last?: string | null;
  from?: Date | null;
  to?: Date | null;
}

export type RangePreset = 'TODAY' | 'YESTERDAY' | 'LAST_HOUR' | 'LAST_24_HOURS' | 'LAST_7_DAYS' | 'LAST_30_DAYS' | 'THIS_MONTH';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * Turns a range argument into whole-hour bounds `[from, to)`. Usage is rolled up per hour, so
 * rounding outward (`from` down, `to` up) makes the report say exactly what it counted instead
 * of silently covering a different window. Re-resolved on every tick of a subscription, so
 * TODAY rolls over at midnight UTC.
 */
export function resolveRange(arg: TimeRangeArg | null | undefined, now: number): TimeRange {
  const given = [arg?.preset, arg?.last, arg?.from].filter((v) => v !== undefined && v !== null).length;
  if (given > 1) throw badInput('give one of preset, last or from', 'range');
  if (arg?.to && !arg.from) throw badInput('to needs from', 'range');
  // `to` is exclusive; "until now" must include a request that started this very millisecond.
  const untilNow = now + 1;
  let from: number;
  let to = untilNow;
  if (arg?.from) {
    from = arg.from.getTime();
    to = arg.to ? arg.to.getTime() : untilNow;
  } else if (arg?.last) {
    const ms = parseDuration(arg.last);
    if (ms === undefined || ms <= 0) throw badInput(`invalid duration '${arg.last}': use e.g. 15m, 24h, 7d`, 'range.last');
    from = now - ms;
  } else {
    [from, to] = presetBounds(arg?.preset ?? 'TODAY', now, untilNow);
  }
  const range = { from: floorHour(from), to: ceilHour(to) };
  if (range.to <= range.from) throw badInput('the range is empty: from must be before to', 'range');
  return range;
}

function presetBounds(preset: RangePreset, now: number, untilNow: number): [number, number] {
  const today = now - (now % DAY);
  switch (preset) {
    case 'TODAY':
      return [today, untilNow];
    case 'YESTERDAY':
      return [today - DAY, today];
    case 'LAST_HOUR':
      return [now - HOUR, untilNow];
    case 'LAST_24_HOURS':
      return [now - DAY, untilNow];
    case 'LAST_7_DAYS':
      return [now - 7 * DAY, untilNow];
    case 'LAST_30_DAYS':
      return [now - 30 * DAY, untilNow];
    case 'THIS_MONTH': {
      const date = new Date(now);
      return [Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1), untilNow];
    }
  }
}

function floorHour(ms: number): number {
  return ms - (((ms % HOUR) + HOUR) % HOUR);
}

function ceilHour(ms: number): number {
  const floor = floorHour(ms);
  return floor === ms ? ms : floor + HOUR;
}
