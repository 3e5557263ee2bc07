/**
 * Relative Codex capacity of a seat by plan, in "Plus seats". Only the ratios matter: the
 * capacity_weighted strategy multiplies them with the remaining fraction of each seat's quota.
 * Pro seats get several times the Plus limits; Free seats a fraction; business plans about Plus.
 */
export const PLAN_CAPACITY: Readonly<Record<string, number>> = {
  free: 0.25,
  plus: 1,
  team: 1,
  business: 1,
  enterprise: 1,
  edu: 1,
  pro: 6,
};

/** Capacity of a plan; an unknown or missing plan counts as one Plus seat. */
export function planCapacity(plan: string | null | undefined): number {
  return plan === null || plan === undefined ? 1 : (PLAN_CAPACITY[plan] ?? 1);
}
