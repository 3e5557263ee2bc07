/**
 * In-flight counts per policy and subject, in this process. Concurrency is deliberately not in a
 * shared store: a slot held by an instance that crashes would never be given back, and would
 * lock the key out for good. With several instances each enforces `concurrency` on its own.
 *
 * Counts are kept per policy fingerprint, then per subject: both strings live as long as their
 * snapshot (the hot path builds no slot name), so each lookup hashes nothing new.
 */
export class ConcurrencySlots {
  private readonly inflight = new Map<string, Map<string, number>>();

  tryAcquire(policy: string, subject: string, limit: number): boolean {
    let counts = this.inflight.get(policy);
    if (counts === undefined) this.inflight.set(policy, (counts = new Map()));
    const now = counts.get(subject) ?? 0;
    if (now >= limit) return false;
    counts.set(subject, now + 1);
    return true;
  }

  release(policy: string, subject: string): void {
    const counts = this.inflight.get(policy);
    const now = counts?.get(subject) ?? 0;
    if (counts === undefined || now === 0) return;
    if (now > 1) counts.set(subject, now - 1);
    else if (counts.size > 1) counts.delete(subject);
    else this.inflight.delete(policy);
  }

  count(policy: string, subject: string): number {
    return this.inflight.get(policy)?.get(subject) ?? 0;
  }
}
