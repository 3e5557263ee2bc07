/**
 * How a presented API key may appear in an error message: OpenAI-style, a recognisable head and
 * the last two characters (`sk-clb-ab***yz`), never enough to use it. Short strings (`dummy`)
 * are not keys anyone needs to recognise: they show as `***`.
 */
export function maskApiKey(key: string): string {
  if (key.length >= 24) return `${key.slice(0, 9)}***${key.slice(-2)}`;
  if (key.length >= 12) return `${key.slice(0, 3)}***${key.slice(-2)}`;
  return '***';
}
