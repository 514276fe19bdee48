// Reading the model's world and command results without depending on their
// exact classes: SNMP counters per host (host.snmp, as nstat names them) for
// the counters panel, and a command's result for the terminal.

import type { CommandOutput } from '../view/terminal_view.js';

/** `world.hosts` (a Map or record of hosts) → host → counter name → value. */
export function hostCounters(world: unknown): Record<string, Record<string, number>> | null {
  const hosts = (world as { hosts?: unknown } | null)?.hosts;
  const entries: [string, unknown][] =
    hosts instanceof Map ? [...hosts.entries()].map(([k, v]) => [String(k), v])
      : hosts && typeof hosts === 'object' ? Object.entries(hosts) : [];
  const out: Record<string, Record<string, number>> = {};
  for (const [name, host] of entries) {
    const h = host as { counters?: unknown; snmp?: { entries?: () => [string, number][] } } | null;
    const c = typeof h?.snmp?.entries === 'function' ? Object.fromEntries(h.snmp.entries()) : counterRecord(h?.counters);
    if (c) out[name] = c;
  }
  return Object.keys(out).length ? out : null;
}

function counterRecord(v: unknown): Record<string, number> | null {
  if (typeof v === 'function') {
    try {
      return counterRecord((v as () => unknown)());
    } catch {
      return null;
    }
  }
  if (v instanceof Map) v = Object.fromEntries(v);
  if (!v || typeof v !== 'object') return null;
  const snapshot = (v as { snapshot?: unknown }).snapshot;
  if (typeof snapshot === 'function') return counterRecord(snapshot.call(v));
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'number') out[k] = x;
  return Object.keys(out).length ? out : null;
}

/** A runCommand result as the terminal prints it: a string is stdout. */
export function toCommandOutput(v: unknown): CommandOutput {
  if (typeof v === 'string') return { stdout: v, stderr: '', exitCode: 0 };
  const o = (v ?? {}) as Record<string, unknown>;
  const code = o.exitCode ?? o.code ?? o.status ?? 0;
  return {
    stdout: typeof o.stdout === 'string' ? o.stdout : typeof o.output === 'string' ? o.output : '',
    stderr: typeof o.stderr === 'string' ? o.stderr : '',
    exitCode: typeof code === 'number' ? code : 0,
  };
}
