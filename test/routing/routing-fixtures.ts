import { loadConfigText } from '../../src/config/load.js';
import { buildSnapshot, type AccountSpec, type Snapshot, type ValidConfig } from '../../src/runtime/snapshot.js';
import type { Clock } from '../../src/shared/clock.js';
import type { StrategyCandidate } from '../../src/routing/strategies/routing-strategy.js';

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(public t = 1_000_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A snapshot from YAML text; throws with the issues when invalid. */
export function snapshotOf(yaml: string): Snapshot {
  const loaded = loadConfigText(yaml, 'test.yaml', {});
  if (loaded.config === null) throw new Error(loaded.issues.map((i) => i.message).join('\n'));
  return buildSnapshot(loaded as ValidConfig, 1);
}

export function account(id: string, fields: Partial<Pick<AccountSpec, 'weight' | 'priority' | 'order'>> = {}): AccountSpec {
  return {
    id,
    kind: 'openai',
    name: id,
    enabled: true,
    weight: fields.weight ?? 1,
    priority: fields.priority ?? 0,
    policies: [],
    order: fields.order ?? 0,
    config: { id, kind: 'openai', enabled: true, weight: fields.weight ?? 1, priority: fields.priority ?? 0, policies: [], baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k' },
  };
}

export function candidates(...specs: Array<[string, Partial<StrategyCandidate> & { weight?: number; priority?: number }]>): StrategyCandidate[] {
  return specs.map(([id, f], order) => ({
    account: account(id, { weight: f.weight, priority: f.priority, order }),
    inflight: f.inflight ?? 0,
    capacity: f.capacity ?? null,
  }));
}

/** Runs `order` n times and counts who came first. */
export function firstPicks(n: number, pick: () => StrategyCandidate[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const id = pick()[0].account.id;
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}
