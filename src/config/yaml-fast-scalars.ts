/**
 * Scalars for the fast YAML reader (yaml-fast.ts): the one-line plain and quoted forms whose
 * meaning under YAML 1.2's core schema is certain. Anything else throws NotInSubset, and the
 * whole file goes to the `yaml` package.
 */
export type FastValue = null | boolean | number | string | FastValue[] | { [key: string]: FastValue };

export class NotInSubset extends Error {}

export const fail = (): never => {
  throw new NotInSubset();
};

// Numbers read here are short enough that every parser rounds them alike.
const INT_RE = /^-?(?:0|[1-9][0-9]{0,14})$/;
const FLOAT_RE = /^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/;
/** The core schema's non-string plain scalars (yaml/dist/schema/core, common/null): other spellings are left to `yaml`. */
const CORE_TAGS = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
/** Characters that may not start a plain scalar, or that this subset leaves to `yaml`. */
const INDICATOR_START = new Set([...'-?:,[]{}#&*!|>\'"%@`']);
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r' };

export function plainScalar(raw: string, flow: boolean): FastValue {
  if (raw === '' || INDICATOR_START.has(raw[0])) {
    // `-5`, `-1.5`: numbers with a sign are fine; other plain scalars starting with an indicator are not.
    if (raw[0] === '-' && (INT_RE.test(raw) || FLOAT_RE.test(raw))) return Number(raw);
    fail();
  }
  // Inside a plain scalar, flow indicators are ordinary in block context (`${VAR}`), not in flow context.
  if (raw.includes(': ') || raw.endsWith(':') || raw.includes(' #') || (flow && /[{}[\],:]/.test(raw))) fail();
  if (INT_RE.test(raw) || FLOAT_RE.test(raw)) return Number(raw);
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  if (/^[-+.0-9~nNtTfF]/.test(raw) && CORE_TAGS.some((tag) => tag.test(raw))) fail();
  return raw;
}

/** A plain scalar in block context: to the end of the line or a comment. */
export function blockPlain(text: string, at: number): { value: FastValue; end: number } {
  let end = text.indexOf(' #', at);
  if (end === -1) end = text.length;
  const raw = text.slice(at, end).trimEnd();
  return { value: plainScalar(raw, false), end: at + raw.length };
}

/** A plain scalar inside a flow collection: up to the next `,`, `}` or `]`. */
export function flowPlain(text: string, at: number): { value: FastValue; end: number } {
  let end = at;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (c === 44 || c === 125 || c === 93) break;
    end++;
  }
  const raw = text.slice(at, end).trimEnd();
  return { value: plainScalar(raw, true), end: at + raw.length };
}

/** A double- or single-quoted scalar that closes on its line. */
export function quoted(text: string, at: number): { value: string; end: number } {
  const q = text[at];
  const close = text.indexOf(q, at + 1);
  if (close === -1) fail();
  // The common case, no escapes: one slice.
  const plain = q === '"' ? text.lastIndexOf('\\', close) < at : text[close + 1] !== "'";
  if (plain) return { value: text.slice(at + 1, close), end: close + 1 };
  let out = '';
  let i = at + 1;
  for (;;) {
    if (i >= text.length) fail();
    const c = text[i];
    if (q === "'" && c === "'") {
      if (text[i + 1] !== "'") return { value: out, end: i + 1 };
      out += "'";
      i += 2;
    } else if (q === '"' && c === '"') {
      return { value: out, end: i + 1 };
    } else if (q === '"' && c === '\\') {
      const e = text[i + 1];
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        const replaced = ESCAPES[e];
        if (replaced === undefined) fail();
        out += replaced;
        i += 2;
      }
    } else {
      out += c;
      i += 1;
    }
  }
}
