/** Time as a dependency, so limits, cooldowns and tests can share one notion of "now". */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
