/**
 * Where SSE bytes may hold something the stream tap reads: an error (`event: error`, an
 * `{"error"` chunk, `response.failed`), a usage object, or a Responses terminal event. Bytes
 * without a marker certainly hold none of these (the tap forwards them without parsing); an
 * event with one is parsed to see. Searched in the bytes, before any decoding, with needles
 * made once.
 */
const ERROR = Buffer.from('error');
const TERMINALS = ['response.completed', 'response.incomplete', 'response.failed'].map((text) => Buffer.from(text));
const USAGE = Buffer.from('"usage"');
const NULL_AFTER_USAGE = Buffer.from(':null');

/** Offsets of every marker in `bytes`, ascending. */
export function markerOffsets(bytes: Buffer, chat: boolean): number[] {
  const found: number[] = [];
  for (let at = bytes.indexOf(ERROR); at !== -1; at = bytes.indexOf(ERROR, at + ERROR.length)) found.push(at);
  if (chat) {
    // Chat streams asked for usage carry `"usage":null` in every chunk: those are no usage
    // object. Any other spelling (spaces, an object) is a marker.
    for (let at = bytes.indexOf(USAGE); at !== -1; at = bytes.indexOf(USAGE, at + USAGE.length)) {
      if (!isNullAfter(bytes, at + USAGE.length)) found.push(at);
    }
  } else {
    for (const needle of TERMINALS) {
      for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + needle.length)) found.push(at);
    }
  }
  return found.length > 1 ? found.sort((a, b) => a - b) : found;
}

function isNullAfter(bytes: Buffer, at: number): boolean {
  for (let i = 0; i < NULL_AFTER_USAGE.length; i++) if (bytes[at + i] !== NULL_AFTER_USAGE[i]) return false;
  return true;
}
