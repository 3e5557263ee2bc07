/**
 * Where SSE bytes may hold something the stream tap reads: an error (`event: error`, an
 * `{"error"` chunk, `response.failed`), a usage object, a Responses terminal event, or the end
 * of a chat stream (`[DONE]`, a choice with a string `finish_reason`). Bytes
 * without a marker certainly hold none of these (the tap forwards them without parsing); an
 * event with one is parsed to see.
 *
 * The search is one pass of one regular expression over the bytes read as latin1 (a one-byte
 * string with the same offsets: every byte is one character, nothing is decoded or lost). Four
 * `Buffer.indexOf` passes cost about three times as much per stream, each match a call into C++
 * (chat chunks all carry `"usage"` and `"finish_reason"`), and showed in stream profiles.
 */
const CHAT_MARKERS =
  // `"usage":null` is in every chunk of a stream asked for usage: no usage object; any other
  // spelling (spaces, an object) is a marker. `"finish_reason":null` is in every chunk until
  // the last choice's, which names a reason (a string).
  /error|"usage"(?!:null)|\[DONE\]|"finish_reason" *: *"/g;
const RESPONSES_MARKERS = /error|response\.(?:completed|incomplete|failed)/g;

/** Offsets of every marker in `bytes`, ascending. */
export function markerOffsets(bytes: Buffer, chat: boolean): number[] {
  const text = bytes.toString('latin1');
  const markers = chat ? CHAT_MARKERS : RESPONSES_MARKERS;
  const found: number[] = [];
  markers.lastIndex = 0;
  for (let match = markers.exec(text); match !== null; match = markers.exec(text)) found.push(match.index);
  return found;
}
