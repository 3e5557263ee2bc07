// @ts-check
/**
 * The client family of a request, from its `user-agent`. Order matters: OpenCode is built on the
 * Vercel AI SDK and says so too, and most tools embed an OpenAI SDK, so the specific names are
 * tried first. OpenClaw 2026.9 sends the OpenAI JS SDK's own `OpenAI/JS x.y` and is therefore
 * counted as "OpenAI SDK" unless its user agent names it (the dashboard says so next to the table);
 * giving each tool its own API key is what tells them apart for certain.
 */

/** @type {ReadonlyArray<readonly [string, RegExp]>} */
const FAMILIES = [
  ['OpenClaw', /openclaw/i],
  ['Codex', /\bcodex[_\-/ ]|^codex/i],
  ['OpenCode', /opencode/i],
  ['Vercel AI SDK', /(^|[\s;(])ai\/\d|\bai-sdk\//i],
  ['OpenAI SDK', /^openai\/|\bopenai-(node|python|go|java|dotnet)|\bOpenAI\/(JS|Python)/i],
  ['curl', /^curl\//i],
];

export const CLIENT_FAMILIES = [...FAMILIES.map(([name]) => name), 'other'];

/** @param {string | null | undefined} userAgent */
export function clientFamily(userAgent) {
  if (!userAgent) return 'other';
  for (const [name, pattern] of FAMILIES) if (pattern.test(userAgent)) return name;
  return 'other';
}
