/**
 * A request that may only go to one account: it continues something only that account can
 * continue (ChatGPT encrypted reasoning, a `previous_response_id`). Unlike sticky affinity, a pin
 * is never traded for another account: if the account cannot serve, the request fails and says why.
 */
export interface AccountPin {
  readonly accountId: string;
  /** Why the request belongs to the account, completing "because …". */
  readonly reason: string;
}

/** Finds the pin of a request body, or null (built in main from the chatgpt continuity index). */
export type PinResolver = (body: Readonly<Record<string, unknown>>) => AccountPin | null;
