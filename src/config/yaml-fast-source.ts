import { interpolate, isSingleReference, plainValue } from './interpolate.js';
import { formatPath, type ConfigPath } from './issues.js';
import { parseFastYaml, type FastValue, type PosNode } from './yaml-fast.js';
import type { YamlSource } from './yaml-source.js';

/**
 * gateway.yaml through the fast reader (see yaml-fast.ts), as the same YamlSource the `yaml`
 * package path builds: data with `${VAR}` interpolated under the same rules, interpolated paths,
 * and `locate` giving the same line:column. Null when the file is outside the reader's subset, or
 * when interpolation fails (the full path then reports each problem at its place).
 */
export function fastYamlSource(text: string, file: string, env: NodeJS.ProcessEnv): YamlSource | null {
  const parsed = parseFastYaml(text);
  if (parsed === null) return null;
  const interpolatedPaths = new Set<string>();
  for (const scalar of parsed.dollars) {
    const source = scalar.parent[scalar.key as never] as FastValue;
    if (typeof source !== 'string') continue;
    const result = interpolate(source, env);
    if (result.errors.length > 0) return null;
    if (result.substituted) interpolatedPaths.add(formatPath(scalar.path));
    const value = scalar.plain && isSingleReference(source) ? plainValue(result.value) : result.value;
    (scalar.parent as Record<string | number, FastValue>)[scalar.key] = value;
  }
  // Positions are only needed to report issues: read once more, recording them, when asked.
  let located: { root: PosNode; lineStarts: number[] } | null = null;
  const locate = (path: ConfigPath, at: 'key' | 'value' = 'value') => {
    located ??= { root: parseFastYaml(text, { positions: true })?.positions as PosNode, lineStarts: startsOfLines(text) };
    return position(located.lineStarts, offsetOf(located.root, path, at));
  };
  return { file, data: parsed.data, interpolatedPaths, issues: [], locate };
}

/** The start of the node at `path`, or of its nearest existing ancestor (as yaml-source's offsetOf). */
function offsetOf(root: PosNode, path: ConfigPath, at: 'key' | 'value'): number {
  let node: PosNode | undefined = root;
  let best = root.start;
  for (let i = 0; i < path.length; i += 1) {
    const part = path[i];
    if (node?.items === undefined) return best;
    if (node.names !== undefined) {
      const index = node.names.indexOf(String(part));
      if (index === -1) return best;
      if (i === path.length - 1 && at === 'key') return node.keys?.[index] ?? best;
      node = node.items[index];
    } else {
      if (typeof part !== 'number' || node.items[part] === undefined) return best;
      node = node.items[part];
    }
    best = node.start;
  }
  return best;
}

function startsOfLines(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column, as the `yaml` package's LineCounter gives them. */
function position(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = lineStarts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (lineStarts[mid] < offset) low = mid + 1;
    else high = mid;
  }
  if (lineStarts[low] === offset) return { line: low + 1, column: 1 };
  return { line: low, column: offset - lineStarts[low - 1] + 1 };
}
