import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { interpolate, isSingleReference, plainValue } from './interpolate.js';
import { formatPath, type ConfigIssue, type ConfigPath } from './issues.js';
import { fastYamlSource } from './yaml-fast-source.js';

/**
 * gateway.yaml read into plain data while keeping where every value came from, so that each
 * problem found later (schema, references) can name its line and column. Environment
 * interpolation happens here, on scalar values only, so a variable can never inject structure.
 */
export interface YamlSource {
  file: string;
  data: unknown;
  /** Paths (formatted) whose values came from the environment: secrets. */
  interpolatedPaths: Set<string>;
  issues: ConfigIssue[];
  locate(path: ConfigPath, at?: 'key' | 'value'): { line: number; column: number } | null;
}

/** The file's data: through the fast reader when the file is in its subset, else the `yaml` package. */
export function readYamlSource(text: string, file: string, env: NodeJS.ProcessEnv): YamlSource {
  return fastYamlSource(text, file, env) ?? readYamlDocumentSource(text, file, env);
}

/** Through the `yaml` package's full document: every YAML feature, syntax errors and warnings. */
export function readYamlDocumentSource(text: string, file: string, env: NodeJS.ProcessEnv): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  const issues: ConfigIssue[] = [];
  const positionAt = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const locate = (path: ConfigPath, at: 'key' | 'value' = 'value') => {
    const offset = offsetOf(doc, path, at);
    return offset === null ? null : positionAt(offset);
  };

  // After the first syntax error the parser's later complaints are mostly echoes of it; duplicate
  // keys are independent of each other, so each is reported.
  const syntaxErrors = doc.errors.filter((error, index) => index === 0 || error.code === 'DUPLICATE_KEY');
  for (const error of syntaxErrors) {
    const pos = positionAt(error.pos[0]);
    const message = error.code === 'DUPLICATE_KEY' ? duplicateKeyMessage(text, error.pos[0]) : firstLine(error.message);
    issues.push({ severity: 'error', code: 'yaml_syntax', file, ...pos, path: '', message });
  }
  for (const warning of doc.warnings) {
    const pos = positionAt(warning.pos[0]);
    issues.push({ severity: 'warning', code: 'yaml_warning', file, ...pos, path: '', message: firstLine(warning.message) });
  }
  const interpolatedPaths = new Set<string>();
  if (doc.errors.length > 0) return { file, data: undefined, interpolatedPaths, issues, locate };

  interpolateNode(doc.contents, [], env, (path, node, message) => {
    const pos = node.range ? positionAt(node.range[0]) : { line: null, column: null };
    issues.push({ severity: 'error', code: 'env_missing', file, ...pos, path: formatPath(path), message });
  }, interpolatedPaths);

  const data: unknown = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  return { file, data, interpolatedPaths, issues, locate };
}

type InterpolationError = (path: ConfigPath, node: Node, message: string) => void;

function interpolateNode(
  node: unknown,
  path: ConfigPath,
  env: NodeJS.ProcessEnv,
  onError: InterpolationError,
  interpolatedPaths: Set<string>,
): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      interpolateNode(pair.value, [...path, key], env, onError, interpolatedPaths);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => interpolateNode(item, [...path, index], env, onError, interpolatedPaths));
  } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('$')) {
    const source = node.value;
    const result = interpolate(source, env);
    for (const message of result.errors) onError(path, node, message);
    if (result.errors.length > 0) return;
    if (result.substituted) interpolatedPaths.add(formatPath(path));
    // An unquoted `port: ${PORT:-2455}` means the number, as it would if written literally.
    node.value = node.type === 'PLAIN' && isSingleReference(source) ? plainValue(result.value) : result.value;
  }
}

/** The source offset of the node at `path`, or of its nearest existing ancestor. */
function offsetOf(doc: Document, path: ConfigPath, at: 'key' | 'value'): number | null {
  let node: unknown = doc.contents;
  let best: number | null = rangeStart(node);
  for (let i = 0; i < path.length; i += 1) {
    const part = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair) return best;
      if (last && at === 'key') return rangeStart(pair.key) ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
    } else {
      return best;
    }
    best = rangeStart(node) ?? best;
  }
  return best;
}

function rangeStart(node: unknown): number | null {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range) return range[0];
  }
  return null;
}

/** Names the repeated key when it is a plain or quoted scalar, as it usually is. */
function duplicateKeyMessage(text: string, offset: number): string {
  const match = /^("[^"\n]*"|'[^'\n]*'|[^\s:#,{}[\]][^:#\n,{}]*?)\s*:/.exec(text.slice(offset));
  const key = match ? match[1]!.replace(/^["']|["']$/g, '') : null;
  return key === null ? 'duplicate key: a key may appear only once in a map' : `duplicate key '${key}': a key may appear only once in a map`;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
