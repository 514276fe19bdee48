// Scenario problems, each at a file:line:column with the dotted key path:
// `scenarios/x.yaml:12:9: hosts.server.nics.eth0.mtu: must be at least 68 (got 60)`.

import { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.path ? `${d.path}: ` : ''}${d.message}`;
}

export type PathKey = string | number;

/** Collects problems, resolving each path to the position of its YAML node. */
export class Diagnostics {
  readonly list: Diagnostic[] = [];

  constructor(readonly file: string, private readonly doc: Document | null, private readonly lines: LineCounter) {}

  /** Reports a problem at `path`; `onKey` points at the key rather than its value. */
  at(path: readonly PathKey[], message: string, onKey = false): void {
    const offset = this.offsetOf(path, onKey);
    const pos = this.lines.linePos(offset);
    this.list.push({ file: this.file, line: pos.line, column: pos.col, path: path.join('.'), message });
  }

  atOffset(offset: number, path: string, message: string): void {
    const pos = this.lines.linePos(offset);
    this.list.push({ file: this.file, line: pos.line, column: pos.col, path, message });
  }

  get ok(): boolean {
    return this.list.length === 0;
  }

  private offsetOf(path: readonly PathKey[], onKey: boolean): number {
    let node: Node | null | undefined = this.doc?.contents as Node | null | undefined;
    let best = node?.range?.[0] ?? 0;
    for (let i = 0; i < path.length; i++) {
      const key = path[i]!;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
        if (!pair) break;
        const last = i === path.length - 1;
        if (last && onKey && isScalar(pair.key)) return pair.key.range?.[0] ?? best;
        node = pair.value as Node | null;
        best = (node?.range?.[0] ?? (isScalar(pair.key) ? pair.key.range?.[0] : undefined)) ?? best;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key] as Node | null;
        if (!node) break;
        best = node.range?.[0] ?? best;
      } else {
        break;
      }
    }
    return best;
  }
}

/** What a schema validator reports (zod 4's issue shape, the fields used here). */
export interface SchemaIssue {
  code: string;
  message: string;
  path: PropertyKey[];
  keys?: string[];
  expected?: unknown;
  values?: unknown;
}

/**
 * Reports schema issues in the project's words: unknown keys at the key,
 * missing keys at their parent, and wrong types with the value found.
 * `unknownHint` ends an unknown-key message (e.g. the keys that are allowed).
 */
export function reportSchemaIssues(d: Diagnostics, issues: readonly SchemaIssue[], raw: unknown, unknownHint = ''): void {
  for (const issue of issues) {
    const path = issue.path.filter((k): k is PathKey => typeof k === 'string' || typeof k === 'number');
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys ?? []) d.at([...path, k], `unknown key "${k}"${unknownHint}`, true);
    } else if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && path.length > 0 && valueAt(raw, path) === undefined) {
      d.at(path.slice(0, -1), `missing required key "${String(path[path.length - 1])}"`);
    } else {
      // zod 4 leaves `input` out of issues; the offending value is read from the document.
      d.at(path, describeIssue(issue, valueAt(raw, path)));
    }
  }
}

/** The value at `path` in the parsed document, or undefined where a key is absent. */
export function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<PathKey, unknown>)[k];
  }
  return v;
}

function describeIssue(issue: SchemaIssue, input: unknown): string {
  if (issue.code === 'invalid_type') return `expected ${String(issue.expected)}, got ${typeName(input)}`;
  if (issue.code === 'invalid_value' && Array.isArray(issue.values)) return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_union') return `has the wrong type (${typeName(input)})`;
  return issue.message;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `a string ("${v}")`;
  return `${typeof v} (${String(v)})`;
}
