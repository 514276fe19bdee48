// What-if experiments: a base scenario and a grid of variants over any of its
// keys, each a dotted path (`hosts.server.nics.eth0.mtu`, `traffic.0.rate`;
// several paths joined by commas take the same value together). Variants are
// the cartesian product, the first grid key varying slowest, and are applied
// with immer to the parsed scenario document, so every variant is a whole
// scenario that compiles on its own. Every problem is reported at its
// file:line:column in the experiment file. Browser-safe: the caller reads files.
//
//   name: mtu-offloads
//   base: ../offload-bulk.yaml         # a path (relative to this file) or an inline scenario
//   receiver: server                   # the host whose stack and apps are measured
//   grid:
//     "hosts.client.nics.eth0.mtu, hosts.server.nics.eth0.mtu": [1500, 9000]
//     hosts.client.nics.eth0.offloads.tso: [on, off]

import { LineCounter, parseDocument, stringify } from 'yaml';
import { produce } from 'immer';
import { z } from 'zod';
import { Diagnostics, reportSchemaIssues, type Diagnostic, type PathKey } from '../scenario/diagnostics.js';
import { compileScenario } from '../scenario/build.js';

const scalarSchema = z.union([z.string(), z.number(), z.boolean()]);
/** A grid value, or `{ label, value }` when the value is long (an iptables ruleset) and needs a short name in tables. */
const valueSchema = z.union([scalarSchema, z.strictObject({ label: z.string(), value: scalarSchema })]);

const experimentSchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  base: z.union([z.string(), z.record(z.string(), z.unknown())]),
  receiver: z.string().optional(),
  grid: z.record(z.string(), z.array(valueSchema).min(1)),
});

export type GridValue = string | number | boolean;

export interface GridAxis {
  /** The key as written, e.g. "hosts.server.nics.eth0.mtu". */
  key: string;
  /** Short column name: the last path segment (the whole key if two axes share it). */
  label: string;
  paths: PathKey[][];
  values: GridValue[];
  /** How each value is shown in tables and plots. */
  valueLabels: string[];
}

export interface Variant {
  index: number;
  /** One value per axis, in axis order. */
  params: GridValue[];
  /** The variant's scenario as YAML text. */
  text: string;
}

export interface Experiment {
  name: string;
  description: string;
  file: string;
  baseFile: string;
  receiver: string;
  axes: GridAxis[];
  variants: Variant[];
}

export type ExperimentResult = { ok: true; experiment: Experiment } | { ok: false; errors: Diagnostic[] };

/** Splits a dotted key into path segments (numbers index lists); null when a segment is empty. */
export function parseKeyPath(key: string): PathKey[] | null {
  const parts = key.split('.');
  if (parts.some((p) => p.trim() === '')) return null;
  return parts.map((p) => (/^\d+$/.test(p.trim()) ? Number(p.trim()) : p.trim()));
}

/** Where `path` cannot be set in `doc`: the first missing parent, or null when it can. */
function pathProblem(doc: unknown, path: PathKey[]): string | null {
  let v = doc;
  for (let i = 0; i < path.length; i++) {
    const k = path[i]!;
    const here = path.slice(0, i + 1).join('.');
    if (Array.isArray(v)) {
      if (typeof k !== 'number') return `${path.slice(0, i).join('.')} is a list: index it with a number, not "${k}"`;
      if (k >= v.length) return `${here}: the base scenario's list has ${v.length} entries`;
    } else if (v !== null && typeof v === 'object') {
      if (i < path.length - 1 && !Object.hasOwn(v, k)) return `${here}: no such key in the base scenario`;
    } else {
      return `${path.slice(0, i).join('.')} is a ${typeof v}, not a mapping or a list`;
    }
    v = (v as Record<PathKey, unknown>)[k];
  }
  return null;
}

function setPath(draft: Record<PathKey, unknown>, path: PathKey[], value: GridValue): void {
  let v: Record<PathKey, unknown> = draft;
  for (let i = 0; i < path.length - 1; i++) v = v[path[i]!] as Record<PathKey, unknown>;
  v[path[path.length - 1]!] = value;
}

/**
 * Parses and validates an experiment. `readBase(path)` returns the base
 * scenario's text (path as written, relative to the experiment) or null.
 */
export function parseExperiment(text: string, file: string, readBase: (path: string) => { text: string; file: string } | null): ExperimentResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const d = new Diagnostics(file, doc, lines);
  for (const e of doc.errors) d.atOffset(e.pos[0], '', e.message.split('\n')[0]!);
  if (!d.ok) return { ok: false, errors: d.list };
  const raw = doc.toJS() as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    d.atOffset(0, '', 'an experiment is a mapping with at least `name`, `base` and `grid`');
    return { ok: false, errors: d.list };
  }
  const parsed = experimentSchema.safeParse(raw);
  if (!parsed.success) {
    reportSchemaIssues(d, parsed.error.issues, raw, ' (an experiment has name, description, base, receiver, grid)');
    return { ok: false, errors: d.list };
  }
  const ex = parsed.data;
  // The base scenario, as a document.
  let baseText: string;
  let baseFile: string;
  if (typeof ex.base === 'string') {
    const got = readBase(ex.base);
    if (!got) {
      d.at(['base'], `cannot read the base scenario "${ex.base}"`);
      return { ok: false, errors: d.list };
    }
    baseText = got.text;
    baseFile = got.file;
  } else {
    baseText = stringify(ex.base);
    baseFile = `${file}#base`;
  }
  const baseCompiled = compileScenario(baseText, baseFile);
  if (!baseCompiled.ok) return { ok: false, errors: baseCompiled.errors };
  const baseDoc = parseDocument(baseText).toJS() as Record<PathKey, unknown>;

  const axes: GridAxis[] = [];
  for (const [key, written] of Object.entries(ex.grid)) {
    const values = written.map((w) => (typeof w === 'object' ? w.value : w));
    const valueLabels = written.map((w) => (typeof w === 'object' ? w.label : String(w)));
    const paths: PathKey[][] = [];
    for (const one of key.split(',')) {
      const p = parseKeyPath(one);
      if (!p) {
        d.at(['grid', key], `"${one.trim()}" is not a dotted key path (e.g. hosts.server.nics.eth0.mtu)`, true);
        continue;
      }
      const problem = pathProblem(baseDoc, p);
      if (problem) d.at(['grid', key], problem, true);
      paths.push(p);
    }
    const last = paths[paths.length - 1];
    axes.push({ key, label: last ? String(last[last.length - 1]) : key, paths, values, valueLabels });
  }
  for (const a of axes) if (axes.some((b) => b !== a && b.label === a.label)) a.label = a.key;
  if (ex.receiver !== undefined && !Object.hasOwn((baseDoc['hosts'] ?? {}) as object, ex.receiver)) {
    d.at(['receiver'], `no host named "${ex.receiver}" in the base scenario`);
  }
  if (!d.ok) return { ok: false, errors: d.list };

  const variants: Variant[] = [];
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  for (let index = 0; index < total; index++) {
    const params: GridValue[] = [];
    let rest = index;
    for (let i = axes.length - 1; i >= 0; i--) {
      const n = axes[i]!.values.length;
      params[i] = axes[i]!.values[rest % n]!;
      rest = Math.floor(rest / n);
    }
    const vdoc = produce(baseDoc, (draft) => {
      axes.forEach((a, i) => { for (const p of a.paths) setPath(draft as Record<PathKey, unknown>, p, params[i]!); });
    });
    const vtext = stringify(vdoc);
    const check = compileScenario(vtext, `${baseFile} (variant ${index})`);
    if (!check.ok) {
      // Blame the grid value that made the scenario invalid, at its position in the experiment.
      for (const e of check.errors) {
        const axis = axes.findIndex((a) => a.paths.some((p) => e.path === p.join('.') || e.path.startsWith(`${p.join('.')}.`)));
        const where: PathKey[] = axis >= 0 ? ['grid', axes[axis]!.key, axes[axis]!.values.indexOf(params[axis]!)] : ['grid'];
        d.at(where, `variant ${index} (${axes.map((a, i) => `${a.label}=${a.valueLabels[a.values.indexOf(params[i]!)]}`).join(' ')}): ${e.path ? `${e.path}: ` : ''}${e.message}`);
      }
      return { ok: false, errors: d.list };
    }
    variants.push({ index, params, text: vtext });
  }
  const hosts = Object.entries((baseDoc['hosts'] ?? {}) as Record<string, { listen?: unknown[] }>);
  const receiver = ex.receiver ?? hosts.find(([, h]) => (h.listen ?? []).length > 0)?.[0] ?? hosts[0]?.[0] ?? '';
  return { ok: true, experiment: { name: ex.name, description: ex.description ?? '', file, baseFile, receiver, axes, variants } };
}
