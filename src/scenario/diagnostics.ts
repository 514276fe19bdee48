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
