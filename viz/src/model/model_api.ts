// The simulation model as the page uses it: `src/index.ts` run in the browser.
// It is loaded through import.meta.glob so the page still builds (and can show
// traces from disk) when the model or one of its exports is not there yet;
// what is missing is reported by name instead of breaking the page.

import { LineCounter, parseDocument } from 'yaml';
import type { TraceEvent } from '../trace/event.js';
import { runScenario, type RunRequest, type RunResult, type ScenarioModel } from './run_scenario.js';

export interface ScenarioError {
  line: number;
  column: number;
  path: string;
  message: string;
}

export type ParseResult = { ok: true; scenario: unknown } | { ok: false; errors: ScenarioError[] };

export interface SimulateResult {
  events: TraceEvent[];
  summary: unknown;
  world: unknown;
}

export interface ModelApi {
  parseScenario(text: string, fileName: string, opts?: { readFile?: (path: string) => Uint8Array | null }): ParseResult;
  simulate?: (text: string, fileName: string, opts?: { seed?: number; until?: string }) => SimulateResult;
  /** A run with the files the scenario names supplied from memory (on the page's thread). */
  run?: (req: RunRequest) => RunResult;
  runCommand?: (world: unknown, host: string, line: string) => unknown;
}

const modules = import.meta.glob<Record<string, unknown>>('../../../src/index.ts');

export interface LoadedModel {
  api: ModelApi;
  /** Why the full model is not in use, or null when it is. */
  missing: string | null;
}

/** Loads src/index.ts; without it, validation falls back to YAML syntax only. */
export async function loadModel(): Promise<LoadedModel> {
  const load = Object.values(modules)[0];
  if (load === undefined) {
    return { api: { parseScenario: parseYamlOnly }, missing: 'the simulation model (src/index.ts) is not built yet' };
  }
  let mod: Record<string, unknown>;
  try {
    mod = await load();
  } catch (e) {
    return { api: { parseScenario: parseYamlOnly }, missing: `the simulation model failed to load: ${(e as Error).message}` };
  }
  const api: ModelApi = {
    parseScenario:
      typeof mod.parseScenario === 'function' ? (mod.parseScenario as ModelApi['parseScenario']) : parseYamlOnly,
  };
  if (typeof mod.simulate === 'function') api.simulate = mod.simulate as NonNullable<ModelApi['simulate']>;
  if (typeof mod.compileScenario === 'function' && typeof mod.simulateCompiled === 'function') {
    const model = mod as unknown as ScenarioModel;
    api.run = (req) => runScenario(model, req);
  }
  if (typeof mod.runCommand === 'function') api.runCommand = mod.runCommand as NonNullable<ModelApi['runCommand']>;
  const lacking = ['parseScenario', 'compileScenario', 'simulateCompiled'].filter((n) => typeof mod[n] !== 'function');
  return { api, missing: lacking.length ? `src/index.ts does not export ${lacking.join(', ')} yet` : null };
}

/** YAML syntax errors with their positions, for when the model's validator is absent. */
export function parseYamlOnly(text: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  if (doc.errors.length === 0) return { ok: true, scenario: doc.toJS() };
  return {
    ok: false,
    errors: doc.errors.map((e) => {
      const at = lineCounter.linePos(e.pos[0]);
      return { line: at.line, column: at.col, path: '', message: e.message.split('\n')[0]! };
    }),
  };
}

/** The scenario's teacher's notes (`notes:` in the YAML), keyed by stage slug. */
export function scenarioNotes(scenario: unknown): Record<string, string> {
  const sc = scenario as { notes?: unknown; doc?: { notes?: unknown } } | null;
  const notes = sc?.notes ?? sc?.doc?.notes;
  const out: Record<string, string> = {};
  if (notes && typeof notes === 'object') {
    for (const [k, v] of Object.entries(notes)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** Host names of a parsed scenario in file order: the compiled world's, else the document's. */
export function scenarioHosts(scenario: unknown): string[] {
  const sc = scenario as { hosts?: unknown; world?: { hosts?: unknown }; doc?: { hosts?: unknown } } | null;
  const hosts = sc?.world?.hosts ?? sc?.doc?.hosts ?? sc?.hosts;
  if (hosts instanceof Map) return [...hosts.keys()].map(String);
  if (Array.isArray(hosts)) return hosts.map((h) => String((h as { name?: unknown }).name ?? h));
  if (hosts && typeof hosts === 'object') return Object.keys(hosts);
  return [];
}

export interface LinkDef {
  a: string;
  aDev: string;
  b: string;
  bDev: string;
  label: string;
}

/** Links of a parsed scenario (`a: host:dev`, `b: host:dev`), tolerant of the model's shape. */
export function scenarioLinks(scenario: unknown): LinkDef[] {
  const sc = scenario as { links?: unknown; doc?: { links?: unknown } } | null;
  const links = sc?.doc?.links ?? sc?.links;
  if (!Array.isArray(links)) return [];
  const out: LinkDef[] = [];
  for (const l of links as Record<string, unknown>[]) {
    const a = endpoint(l.a);
    const b = endpoint(l.b);
    if (!a || !b) continue;
    const parts = [l.rate, l.delay].filter((x) => typeof x === 'string' || typeof x === 'number').map(String);
    out.push({ a: a[0], aDev: a[1], b: b[0], bDev: b[1], label: parts.join(' ') });
  }
  return out;
}

function endpoint(v: unknown): [string, string] | null {
  if (typeof v === 'string') {
    const i = v.indexOf(':');
    return i < 0 ? [v, ''] : [v.slice(0, i), v.slice(i + 1)];
  }
  if (v && typeof v === 'object') {
    const o = v as { host?: unknown; dev?: unknown };
    if (typeof o.host === 'string') return [o.host, typeof o.dev === 'string' ? o.dev : ''];
  }
  return null;
}
