import type { KeyLimitReading } from '../limits/rate-limits.js';
import type { Snapshot } from '../runtime/snapshot.js';
import type { KeyLimitsPort, LimitUsage } from './ports.js';

export interface KeyReadingsSource {
  keyReadings(snapshot: Snapshot, keyId: string): Promise<readonly KeyLimitReading[]>;
}

/** The KeyLimitsPort over the rate limiter (wired by main.ts): counter units become the SDL's. */
export function keyLimitsFrom(source: KeyReadingsSource, now: () => number = Date.now): KeyLimitsPort {
  return {
    async usage(snapshot, keyId): Promise<LimitUsage[]> {
      const at = now();
      return (await source.keyReadings(snapshot, keyId)).map((reading) => {
        // Cost is counted in integer micro-USD; the API speaks USD like gateway.yaml.
        const scale = reading.dimension === 'costUsd' ? 1_000_000 : 1;
        return {
          policyId: reading.policy.id,
          kind: reading.dimension,
          used: reading.used / scale,
          remaining: Math.max(0, reading.limit - reading.used) / scale,
          resetsAt: reading.resetMs === null ? null : at + reading.resetMs,
        };
      });
    },
  };
}
