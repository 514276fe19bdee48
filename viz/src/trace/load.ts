// Reads a trace from disk: JSON Lines as `pktpath run --trace` writes it, or a
// JSON document holding `events` (`journey --format json`, `run --format json`).

import { checkEvent, type TraceEvent } from './event.js';

export interface LoadedTrace {
  events: TraceEvent[];
  /** Scenario name and seed when the document carries them. */
  scenario?: string;
  seed?: number;
}

export interface LoadError {
  line: number;
  message: string;
}

export type LoadResult = { ok: true; trace: LoadedTrace } | { ok: false; error: LoadError };

/** Parses a trace file; the first bad line stops the load and is reported. */
export function parseTraceText(text: string): LoadResult {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') && !isJsonLines(trimmed)) return parseDocument(text);
  const events: TraceEvent[] = [];
  let line = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (e) {
      return { ok: false, error: { line, message: `not JSON: ${(e as Error).message}` } };
    }
    const ev = checkEvent(v);
    if (typeof ev === 'string') return { ok: false, error: { line, message: ev } };
    events.push(ev);
  }
  if (events.length === 0) return { ok: false, error: { line: 1, message: 'the file holds no trace events' } };
  return { ok: true, trace: { events } };
}

/** A JSON Lines file starts with a complete object on its first line. */
function isJsonLines(text: string): boolean {
  const nl = text.indexOf('\n');
  if (nl < 0) return false;
  try {
    const first = JSON.parse(text.slice(0, nl)) as Record<string, unknown>;
    return typeof first === 'object' && first !== null && 'stage' in first;
  } catch {
    return false;
  }
}

function parseDocument(text: string): LoadResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: { line: 1, message: `not JSON: ${(e as Error).message}` } };
  }
  const o = doc as Record<string, unknown>;
  if (!Array.isArray(o.events)) return { ok: false, error: { line: 1, message: 'expected an "events" array' } };
  const events: TraceEvent[] = [];
  for (let i = 0; i < o.events.length; i++) {
    const ev = checkEvent(o.events[i]);
    if (typeof ev === 'string') return { ok: false, error: { line: 1, message: `events[${i}]: ${ev}` } };
    events.push(ev);
  }
  if (events.length === 0) return { ok: false, error: { line: 1, message: 'the file holds no trace events' } };
  const trace: LoadedTrace = { events };
  if (typeof o.scenario === 'string') trace.scenario = o.scenario;
  if (typeof o.seed === 'number') trace.seed = o.seed;
  return { ok: true, trace };
}
