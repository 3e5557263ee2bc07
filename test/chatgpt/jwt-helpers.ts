/** Unsigned JWT-shaped tokens for tests (the gateway only reads payloads; the fakes check them). */
export function fakeJwt(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.sig`;
}

export function fakeIdToken(accountId: string, plan: string): string {
  return fakeJwt({ sub: 'user-1', 'https://api.openai.com/auth': { chatgpt_account_id: accountId, chatgpt_plan_type: plan } });
}
