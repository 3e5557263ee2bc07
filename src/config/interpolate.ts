/**
 * `${VAR}`, `${VAR:-default}` (default when unset or empty) and `$${` for a literal `${`.
 * Returns the text with every reference replaced, or the problems found in it.
 */
export interface InterpolationResult {
  value: string;
  /** True when at least one variable was substituted: the value is then a secret. */
  substituted: boolean;
  errors: string[];
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function interpolate(text: string, env: NodeJS.ProcessEnv): InterpolationResult {
  let value = '';
  let substituted = false;
  const errors: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      value += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      value += text[i];
      i += 1;
      continue;
    }
    const end = text.indexOf('}', i + 2);
    if (end === -1) {
      errors.push("unterminated '${' (write '$${' for a literal)");
      break;
    }
    const body = text.slice(i + 2, end);
    const sep = body.indexOf(':-');
    const name = sep === -1 ? body : body.slice(0, sep);
    if (!NAME_RE.test(name)) {
      errors.push(`invalid variable reference '\${${body}}' (use \${NAME} or \${NAME:-default})`);
    } else if (sep !== -1) {
      const current = env[name];
      value += current === undefined || current === '' ? body.slice(sep + 2) : current;
      substituted = true;
    } else if (env[name] === undefined) {
      errors.push(`environment variable ${name} is not set (set it, or write \${${name}:-default})`);
    } else {
      value += env[name];
      substituted = true;
    }
    i = end + 1;
  }
  return { value, substituted, errors };
}

/** True when the whole text is one `${...}` reference (so a plain scalar may become a number). */
export function isSingleReference(text: string): boolean {
  return /^\$\{[^}]*\}$/.test(text);
}

/** What an interpolated unquoted value means: `port: ${PORT:-2455}` is the number, as if written literally. */
export function plainValue(text: string): string | number | boolean {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}
