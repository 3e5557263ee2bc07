/**
 * Where SSE bytes may hold something the stream tap reads: an error (`event: error`, an
 * `{"error"` chunk, `response.failed`), a usage object, a Responses terminal event, or the end
 * of a chat stream (`[DONE]`, a choice with a string `finish_reason`). Bytes
 * without a marker certainly hold none of these (the tap forwards them without parsing); an
 * event with one is parsed to see. Searched in the bytes, before any decoding, with needles
 * made once.
 */
const ERROR = Buffer.from('error');
const TERMINALS = ['response.completed', 'response.incomplete', 'response.failed'].map((text) => Buffer.from(text));
const USAGE = Buffer.from('"usage"');
const NULL_AFTER_USAGE = Buffer.from(':null');
const DONE = Buffer.from('[DONE]');
const FINISH_REASON = Buffer.from('"finish_reason"');

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
    for (let at = bytes.indexOf(DONE); at !== -1; at = bytes.indexOf(DONE, at + DONE.length)) found.push(at);
    // Every chunk carries `"finish_reason":null` until the last choice's, which names a reason.
    for (let at = bytes.indexOf(FINISH_REASON); at !== -1; at = bytes.indexOf(FINISH_REASON, at + FINISH_REASON.length)) {
      if (stringFollows(bytes, at + FINISH_REASON.length)) found.push(at);
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

/** After optional spaces, a colon and optional spaces, a string starts (not `null`). */
function stringFollows(bytes: Buffer, at: number): boolean {
  let i = at;
  while (bytes[i] === 0x20) i += 1;
  if (bytes[i] !== 0x3a) return false;
  i += 1;
  while (bytes[i] === 0x20) i += 1;
  return bytes[i] === 0x22;
}
