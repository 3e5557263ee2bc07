import type { Clock } from '../../shared/clock.js';
import { sha256Hex } from '../../shared/hashing.js';
import { TtlMap } from '../../routing/ttl-map.js';
import { isObject, stringField } from './json-guards.js';

/**
 * Which account produced which response id and which encrypted reasoning: the Codex backend
 * only accepts `previous_response_id` and `reasoning.encrypted_content` on the account that issued
 * them, so a request carrying either must go back there. The Codex CLI sends reasoning items
 * back without their ids, so they are also known by a hash of their encrypted content. Bounded
 * and expiring: an unknown reference simply routes as usual.
 */
export interface ContinuityPin {
  readonly accountId: string;
  /** What ties the request to the account, for the error when it cannot serve. */
  readonly reason: string;
}

export class ContinuityIndex {
  private readonly owners: TtlMap<string>;

  constructor(
    clock: Clock,
    private readonly ttlMs = 24 * 3_600_000,
    maxEntries = 100_000,
  ) {
    this.owners = new TtlMap(maxEntries, () => clock.now());
  }

  rememberResponse(responseId: string, accountId: string): void {
    this.owners.set(`resp:${responseId}`, accountId, this.ttlMs);
  }

  rememberReasoning(itemId: string | undefined, encryptedContent: string | undefined, accountId: string): void {
    if (itemId !== undefined && itemId !== '') this.owners.set(`item:${itemId}`, accountId, this.ttlMs);
    if (encryptedContent !== undefined && encryptedContent !== '') this.owners.set(`enc:${digest(encryptedContent)}`, accountId, this.ttlMs);
  }

  /** The account a Responses request must go to, or null when it carries nothing known. */
  pinFor(body: Readonly<Record<string, unknown>>): ContinuityPin | null {
    const input = Array.isArray(body.input) ? body.input : [];
    // The latest reasoning item decides: it is what the upstream will try to decrypt last.
    for (let i = input.length - 1; i >= 0; i--) {
      const item: unknown = input[i];
      if (!isObject(item) || item.type !== 'reasoning') continue;
      const encrypted = stringField(item, 'encrypted_content');
      const id = stringField(item, 'id');
      const owner = (encrypted === undefined ? undefined : this.owners.get(`enc:${digest(encrypted)}`)) ?? (id === undefined ? undefined : this.owners.get(`item:${id}`));
      if (owner !== undefined) return { accountId: owner, reason: 'it carries encrypted reasoning issued by that account' };
    }
    const previous = body.previous_response_id;
    if (typeof previous === 'string') {
      const owner = this.owners.get(`resp:${previous}`);
      if (owner !== undefined) return { accountId: owner, reason: `its previous_response_id '${previous}' was produced by that account` };
    }
    return null;
  }
}

function digest(text: string): string {
  return sha256Hex(text).slice(0, 40);
}
