/**
 * In-flight counts per policy and subject, in this process. Concurrency is deliberately not in a
 * shared store: a slot held by an instance that crashes would never be given back, and would
 * lock the key out for good. With several instances each enforces `concurrency` on its own.
 */
export class ConcurrencySlots {
  private readonly inflight = new Map<string, number>();

  tryAcquire(slot: string, limit: number): boolean {
    const now = this.inflight.get(slot) ?? 0;
    if (now >= limit) return false;
    this.inflight.set(slot, now + 1);
    return true;
  }

  release(slot: string): void {
    const now = this.inflight.get(slot) ?? 0;
    if (now <= 1) this.inflight.delete(slot);
    else this.inflight.set(slot, now - 1);
  }

  count(slot: string): number {
    return this.inflight.get(slot) ?? 0;
  }
}
