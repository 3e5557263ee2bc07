import { CORE_SCHEMA, load } from 'js-yaml';
import { readYamlDocumentSource, type YamlSource } from './yaml-source.js';

/**
 * gateway.yaml through js-yaml, an accelerator for large files: the `yaml` package builds a full
 * document (CST, nodes, ranges) and takes seconds for a file with 10,000 keys, js-yaml reads the
 * same data in tens of milliseconds (the 4.x line: on the bench's 1.5 MB file, 10,000 keys, 4.3
 * took about half the time of 5.5). It is only used when it cannot disagree with the `yaml` path:
 * - any `${` declines it (interpolation types a plain `${PORT}` but not a quoted `"${PORT}"`, and
 *   js-yaml does not say how a scalar was written);
 * - anything js-yaml refuses (syntax errors, duplicate keys, …) declines it, so errors are always
 *   worded and placed by the `yaml` package;
 * - line:column for issues come from the `yaml` document, built only when an issue is reported.
 * - keys must be plain words: the two turn a non-string key (`null:`, `1.0:`, `0x1F:`) into
 *   different strings;
 * - only files of at least `minBytes` (256 KiB) take it: js-yaml is more lenient than the `yaml`
 *   package about a few malformed constructs (e.g. `key: - item` on one line), so a small,
 *   hand-edited file always gets the strict reading; a file that large is generated.
 * Both read YAML 1.2 with the core schema: whenever both accept a file they give the same data
 * (the tests compare them on every fixture and on thousands of mutations of them).
 */
export const FAST_YAML_MIN_BYTES = 256 * 1024;

export function fastYamlSource(text: string, file: string, env: NodeJS.ProcessEnv, minBytes = FAST_YAML_MIN_BYTES): YamlSource | null {
  if (text.length < minBytes || text.includes('${')) return null;
  let data: unknown;
  try {
    data = load(text, { schema: CORE_SCHEMA, filename: file });
  } catch {
    return null;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data) || !plainKeys(data)) return null;
  let full: YamlSource | null = null;
  const locate: YamlSource['locate'] = (path, at) => (full ??= readYamlDocumentSource(text, file, env)).locate(path, at);
  return { file, data, interpolatedPaths: new Set(), issues: [], locate };
}

const PLAIN_KEY = /^[A-Za-z_][\w.\-/ ]*$/;
const RESOLVED_KEY = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;

/** Every mapping key below `value` is a word both libraries read as the same string. */
function plainKeys(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(plainKeys);
  if (value === null || typeof value !== 'object') return true;
  for (const [key, child] of Object.entries(value)) {
    if (!PLAIN_KEY.test(key) || RESOLVED_KEY.test(key) || !plainKeys(child)) return false;
  }
  return true;
}
