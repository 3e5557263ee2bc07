/**
 * Where the last complete SSE event in a buffer ends (index just past its blank line), or -1.
 * Events end with a blank line: LF LF, CR CR or CRLF CRLF.
 */
export function lastEventEnd(buffer: Buffer): number {
  let end = -1;
  const lf = buffer.lastIndexOf('\n\n');
  if (lf !== -1) end = lf + 2;
  const crlf = buffer.lastIndexOf('\r\n\r\n');
  if (crlf !== -1 && crlf + 4 > end) end = crlf + 4;
  const cr = buffer.lastIndexOf('\r\r');
  if (cr !== -1 && cr + 2 > end) end = cr + 2;
  return end;
}
