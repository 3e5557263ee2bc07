import type { AccountConfig } from '../config/schema.js';
import type { AccountSpec } from '../runtime/snapshot.js';
import type { ProviderAdapter } from './provider-adapter.js';

/** The adapters by account kind; an account whose kind has none cannot serve (yet). */
export class AdapterRegistry {
  private readonly byKind = new Map<AccountConfig['kind'], ProviderAdapter>();

  constructor(adapters: readonly ProviderAdapter[]) {
    for (const adapter of adapters) this.byKind.set(adapter.kind, adapter);
  }

  get(kind: AccountConfig['kind']): ProviderAdapter | undefined {
    return this.byKind.get(kind);
  }

  /** For the router: why an account cannot serve, or null. */
  unavailableReason(account: AccountSpec): string | null {
    const adapter = this.byKind.get(account.kind);
    if (adapter === undefined) return `accounts of kind '${account.kind}' are not supported by this build yet`;
    return adapter.unavailableReason(account);
  }
}
