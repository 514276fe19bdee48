// The trace event of design.md §2, as the visualiser reads it from the model or
// from a JSON Lines file, with a checker that names the line and field at fault.

import type { TraceEvent } from '../../../src/model/trace.js';

export type { TraceEvent };

const FLOWS = new Set(['inbound', 'outbound', 'forward']);

/** Returns the event if `v` has the contract's shape, else a message naming the bad field. */
export function checkEvent(v: unknown): TraceEvent | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'expected a JSON object';
  const o = v as Record<string, unknown>;
  if (typeof o.t !== 'number' || !Number.isFinite(o.t) || o.t < 0) return '"t" must be a non-negative number (ns)';
  if (typeof o.host !== 'string' || o.host === '') return '"host" must be a non-empty string';
  if (!Number.isInteger(o.cpu)) return '"cpu" must be an integer';
  if (!Number.isInteger(o.skb)) return '"skb" must be an integer';
  if (typeof o.flow !== 'string' || !FLOWS.has(o.flow)) return '"flow" must be inbound, outbound or forward';
  if (!Number.isInteger(o.step)) return '"step" must be an integer';
  if (typeof o.stage !== 'string' || o.stage === '') return '"stage" must be a non-empty string';
  if (typeof o.fn !== 'string') return '"fn" must be a string';
  if (o.detail !== undefined && typeof o.detail !== 'string') return '"detail" must be a string';
  if (o.dev !== undefined && typeof o.dev !== 'string') return '"dev" must be a string';
  if (o.verdict !== undefined && typeof o.verdict !== 'string') return '"verdict" must be a string';
  if (o.reason !== undefined && typeof o.reason !== 'string') return '"reason" must be a string';
  if (o.detail === undefined) o.detail = '';
  return o as unknown as TraceEvent;
}
