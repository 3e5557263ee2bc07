const LF_LF = Buffer.from('\n\n');
const CRLF_CRLF = Buffer.from('\r\n\r\n');
const CR_CR = Buffer.from('\r\r');

/**
 * Where the last complete SSE event in a buffer ends (index just past its blank line), or -1.
 * Events end with a blank line: LF LF, CR CR or CRLF CRLF.
 */
export function lastEventEnd(buffer: Buffer): number {
  let end = -1;
  const lf = buffer.lastIndexOf(LF_LF);
  if (lf !== -1) end = lf + 2;
  // One fast byte search spares LF-only streams (the usual kind) two full backward scans.
  if (!buffer.includes(0x0d)) return end;
  const crlf = buffer.lastIndexOf(CRLF_CRLF);
  if (crlf !== -1 && crlf + 4 > end) end = crlf + 4;
  const cr = buffer.lastIndexOf(CR_CR);
  if (cr !== -1 && cr + 2 > end) end = cr + 2;
  return end;
}

/**
 * Where the first complete event at or after `start` ends (just past its blank line), or the
 * buffer's length when no boundary follows: the same boundaries as lastEventEnd. `hasCr`
 * (whether the buffer holds a CR at all) spares LF-only streams, the usual kind, two searches.
 */
export function nextEventEnd(buffer: Buffer, start: number, hasCr: boolean): number {
  let end = buffer.length;
  const lf = buffer.indexOf(LF_LF, start);
  if (lf !== -1) end = lf + 2;
  if (!hasCr) return end;
  const crlf = buffer.indexOf(CRLF_CRLF, start);
  if (crlf !== -1 && crlf + 4 < end) end = crlf + 4;
  const cr = buffer.indexOf(CR_CR, start);
  if (cr !== -1 && cr + 2 < end) end = cr + 2;
  return end;
}

/** Where the event holding offset `at` starts: just past the blank line before it, or 0. */
export function eventStartBefore(buffer: Buffer, at: number, hasCr: boolean): number {
  let start = 0;
  // (lastIndexOf would read a negative offset as counted from the end.)
  if (at < 2) return start;
  const lf = buffer.lastIndexOf(LF_LF, at - 1);
  if (lf !== -1) start = lf + 2;
  if (!hasCr) return start;
  const crlf = buffer.lastIndexOf(CRLF_CRLF, at - 1);
  if (crlf !== -1 && crlf + 4 > start) start = crlf + 4;
  const cr = buffer.lastIndexOf(CR_CR, at - 1);
  if (cr !== -1 && cr + 2 > start) start = cr + 2;
  return start;
}
