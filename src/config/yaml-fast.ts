import { blockPlain, fail, flowPlain, NotInSubset, quoted, type FastValue } from './yaml-fast-scalars.js';

export type { FastValue } from './yaml-fast-scalars.js';

/**
 * A fast reader for the plain subset of YAML that gateway.yaml files are written in: block maps
 * and sequences, one-line flow maps and sequences, plain and quoted one-line scalars, comments.
 * The `yaml` package builds a full document (CST, nodes, ranges) and takes over a second for a
 * file with 10,000 keys; this reads the same file in a few tens of milliseconds, which is what
 * keeps a reload of a large config within its time.
 *
 * It is only an accelerator: anything outside the subset (anchors, tags, block scalars, multi-line
 * scalars or flow collections, unusual keys, scalars whose type is not obvious, duplicate keys,
 * tabs…) returns null and the caller uses the `yaml` package, so the result is always what that
 * package (YAML 1.2, core schema) would produce. The tests compare both on every fixture and on
 * thousands of mutations of them.
 */

/** Where a node starts (source offset) and, for collections, where their parts start. */
export interface PosNode {
  readonly start: number;
  /** Maps: key names and key offsets, parallel to `items` (the values). */
  readonly names?: string[];
  readonly keys?: number[];
  readonly items?: PosNode[];
}

/** A string scalar that holds `$`: a candidate for `${VAR}` interpolation. */
export interface DollarScalar {
  readonly path: ReadonlyArray<string | number>;
  readonly parent: FastValue[] | { [key: string]: FastValue };
  readonly key: string | number;
  readonly plain: boolean;
}

export interface FastYaml {
  readonly data: { [key: string]: FastValue };
  /** Only when asked for (issue locations): recording them costs as much as the parse. */
  readonly positions: PosNode | null;
  readonly dollars: readonly DollarScalar[];
}

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;
/** Words the core schema reads as something other than a string, or keys that would be odd in JS. */
const SPECIAL_KEYS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', '__proto__']);

interface Line {
  readonly offset: number;
  readonly indent: number;
  readonly text: string;
}

type Sink = PosNode[] | null;
type Container = FastValue[] | { [key: string]: FastValue };

export function parseFastYaml(text: string, options: { positions?: boolean } = {}): FastYaml | null {
  try {
    return new FastParser(text, options.positions === true).parse();
  } catch (error) {
    if (error instanceof NotInSubset) return null;
    throw error;
  }
}

function checkKey(key: string, into: object): void {
  if (!KEY_RE.test(key) || SPECIAL_KEYS.has(key) || Object.hasOwn(into, key)) fail();
}

class FastParser {
  private readonly lines: Line[] = [];
  private index = 0;
  private readonly dollars: DollarScalar[] = [];
  private readonly path: Array<string | number> = [];

  constructor(
    text: string,
    private readonly positions: boolean,
  ) {
    // Anything the subset never needs is left to the full parser (tabs, control characters,
    // byte order marks and the line separators YAML treats specially).
    const lf = text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
    if (/[\t\x00-\x09\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff]/.test(lf)) fail();
    let offset = 0;
    for (const raw of text.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      let indent = 0;
      while (line.charCodeAt(indent) === 32) indent++;
      if (indent < line.length && line.charCodeAt(indent) !== 35 /* # */) {
        if (indent === 0 && (line.startsWith('---') || line.startsWith('...') || line.startsWith('%'))) fail();
        this.lines.push({ offset, indent, text: line });
      }
      offset += raw.length + 1;
    }
  }

  parse(): FastYaml {
    if (this.lines.length === 0) fail();
    const first = this.lines[0];
    if (first.indent !== 0 || isSeqItem(first.text, 0)) fail();
    const root: Sink = this.positions ? [] : null;
    const data = this.map(0, 0, first.offset, root);
    if (this.index !== this.lines.length) fail();
    return { data, positions: root?.[0] ?? null, dollars: this.dollars };
  }

  /** A block map whose keys start at `column`; its first key may sit after a `- ` (at `col`) on the current line. */
  private map(column: number, col: number, start: number, sink: Sink): { [key: string]: FastValue } {
    const out: { [key: string]: FastValue } = {};
    const pos = sink === null ? null : { start, names: [] as string[], keys: [] as number[], items: [] as PosNode[] };
    sink?.push(pos as PosNode);
    let at = col;
    while (this.index < this.lines.length) {
      const line = this.lines[this.index];
      if (at === -1) {
        if (line.indent < column) break;
        if (line.indent > column) fail();
        if (isSeqItem(line.text, column)) break;
        at = column;
      }
      const colon = line.text.indexOf(':', at);
      if (colon === -1) fail();
      const key = line.text.slice(at, colon);
      checkKey(key, out);
      const after = colon + 1;
      if (after < line.text.length && line.text.charCodeAt(after) !== 32) fail();
      pos?.names.push(key);
      pos?.keys.push(line.offset + at);
      this.path.push(key);
      const value = this.valueAfterKey(line, after, column, pos === null ? null : pos.items);
      this.path.pop();
      out[key] = value;
      this.noteDollar(value, out, key, line.text, after);
      at = -1;
    }
    return out;
  }

  /** The value of `key:` at `after`: inline on the same line, or a block on the next lines. */
  private valueAfterKey(line: Line, after: number, column: number, sink: Sink): FastValue {
    const inline = skipSpaces(line.text, after);
    if (inline < line.text.length && !isComment(line.text, inline)) {
      const { value, end } = this.inline(line, inline, sink);
      endOfLine(line.text, end);
      this.index++;
      return value;
    }
    this.index++;
    const next = this.lines[this.index];
    if (next !== undefined && next.indent > column) {
      const start = next.offset + next.indent;
      return isSeqItem(next.text, next.indent) ? this.seq(next.indent, start, sink) : this.map(next.indent, next.indent, start, sink);
    }
    if (next !== undefined && next.indent === column && isSeqItem(next.text, column)) return this.seq(column, next.offset + next.indent, sink);
    // `key:` with nothing after it: null, placed by `yaml` where the next token (comment or line end) starts.
    sink?.push({ start: line.offset + inline });
    return null;
  }

  private seq(column: number, start: number, sink: Sink): FastValue[] {
    const out: FastValue[] = [];
    const pos = sink === null ? null : { start, items: [] as PosNode[] };
    sink?.push(pos as PosNode);
    while (this.index < this.lines.length) {
      const line = this.lines[this.index];
      if (line.indent < column || !isSeqItem(line.text, column)) {
        if (line.indent > column) fail();
        break;
      }
      const at = skipSpaces(line.text, column + 1);
      if (at === line.text.length || isComment(line.text, at)) fail();
      this.path.push(out.length);
      let value: FastValue;
      if (startsCompactMap(line.text, at)) {
        value = this.map(at, at, line.offset + at, pos === null ? null : pos.items);
      } else {
        const inline = this.inline(line, at, pos === null ? null : pos.items);
        endOfLine(line.text, inline.end);
        value = inline.value;
        this.index++;
      }
      this.path.pop();
      out.push(value);
      this.noteDollar(value, out, out.length - 1, line.text, at);
    }
    return out;
  }

  /** A flow collection, quoted or plain scalar starting at `at` on `line`; `end` is just past it. */
  private inline(line: Line, at: number, sink: Sink): { value: FastValue; end: number } {
    const c = line.text.charCodeAt(at);
    if (c === 123 /* { */ || c === 91 /* [ */) return this.flow(line.text, at, line.offset, sink);
    sink?.push({ start: line.offset + at });
    return c === 34 /* " */ || c === 39 /* ' */ ? quoted(line.text, at) : blockPlain(line.text, at);
  }

  /** A flow map or sequence that closes on the same line; `base` is the line's offset in the file. */
  private flow(text: string, at: number, base: number, sink: Sink): { value: FastValue; end: number } {
    const isMap = text.charCodeAt(at) === 123;
    const close = isMap ? '}' : ']';
    const out: Container = isMap ? {} : [];
    const pos = sink === null ? null : isMap ? { start: base + at, names: [] as string[], keys: [] as number[], items: [] as PosNode[] } : { start: base + at, items: [] as PosNode[] };
    sink?.push(pos as PosNode);
    const items = pos === null ? null : pos.items;
    let i = skipSpaces(text, at + 1);
    if (text[i] === close) return { value: out, end: i + 1 };
    for (;;) {
      let key: string | null = null;
      if (isMap) {
        const colon = text.indexOf(': ', i);
        if (colon === -1) fail();
        key = text.slice(i, colon);
        checkKey(key, out);
        pos?.names?.push(key);
        pos?.keys?.push(base + i);
        i = skipSpaces(text, colon + 2);
      }
      const slot = key ?? (out as FastValue[]).length;
      this.path.push(slot);
      let item: { value: FastValue; end: number };
      const c = text.charCodeAt(i);
      if (c === 123 || c === 91) item = this.flow(text, i, base, items);
      else {
        items?.push({ start: base + i });
        item = c === 34 || c === 39 ? quoted(text, i) : flowPlain(text, i);
      }
      this.path.pop();
      (out as Record<string | number, FastValue>)[slot] = item.value;
      this.noteDollar(item.value, out, slot, text, i);
      i = skipSpaces(text, item.end);
      if (text[i] === close) return { value: out, end: i + 1 };
      if (text[i] !== ',') fail();
      i = skipSpaces(text, i + 1);
      // An empty entry or a trailing comma: left to `yaml`.
      if (text[i] === ',' || text[i] === close) fail();
    }
  }

  private noteDollar(value: FastValue, parent: Container, key: string | number, text: string, at: number): void {
    if (typeof value !== 'string' || !value.includes('$')) return;
    const c = text[skipSpaces(text, at)];
    this.dollars.push({ path: [...this.path, key], parent, key, plain: c !== '"' && c !== "'" });
  }
}

function isSeqItem(text: string, column: number): boolean {
  return text.charCodeAt(column) === 45 /* - */ && (column + 1 === text.length || text.charCodeAt(column + 1) === 32);
}

/** `- key: value` or `- key:`: a map whose first key is on the item's line. */
function startsCompactMap(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) return false;
  const colon = text.indexOf(':', at);
  if (colon === -1 || (colon + 1 < text.length && text.charCodeAt(colon + 1) !== 32)) return false;
  return !/[\s#"'{}[\],]/.test(text.slice(at, colon));
}

function skipSpaces(text: string, at: number): number {
  let i = at;
  while (text.charCodeAt(i) === 32) i++;
  return i;
}

function isComment(text: string, at: number): boolean {
  return text.charCodeAt(at) === 35 /* # */ && (at === 0 || text.charCodeAt(at - 1) === 32);
}

/** After a value only spaces and a comment may follow on its line. */
function endOfLine(text: string, end: number): void {
  const i = skipSpaces(text, end);
  if (i < text.length && !(i > end && isComment(text, i))) fail();
}
