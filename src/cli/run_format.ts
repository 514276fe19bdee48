// The run summary as text: time, events, packet fates, drops by reason,
// per-host counters, command outputs and expectations.

import type { RunSummary } from '../scenario/simulate.js';

export function formatRunSummary(s: RunSummary): string {
  const out: string[] = [];
  out.push(`scenario ${s.scenario} (seed ${s.seed})`);
  out.push(`simulated ${(s.sim_time_ns / 1e9).toFixed(9)} s, ${s.events} events; ${s.stop_message}`);
  const p = s.packets;
  out.push('', 'packets:');
  out.push(`  injected    ${p.injected}`);
  out.push(`  delivered   ${p.delivered}`);
  out.push(`  forwarded   ${p.forwarded}`);
  out.push(`  transmitted ${p.transmitted}`);
  out.push(`  dropped     ${p.dropped}`);
  if (p.lost_on_wire) out.push(`  lost on wire ${p.lost_on_wire}`);
  const drops = Object.entries(s.drops);
  if (drops.length) {
    out.push('', 'drops by reason:');
    const w = Math.max(...drops.map(([r]) => r.length));
    for (const [r, n] of drops) out.push(`  ${r.padEnd(w)}  ${n}`);
  }
  for (const [name, h] of Object.entries(s.hosts)) {
    const entries = Object.entries(h.counters);
    out.push('', `${name}:`);
    if (entries.length === 0) out.push('  (no counters moved)');
    const w = Math.max(0, ...entries.map(([k]) => k.length));
    for (const [k, v] of entries) out.push(`  ${k.padEnd(w)}  ${v}`);
  }
  for (const c of s.commands) {
    out.push('', `[${(c.t / 1e9).toFixed(6)}s] ${c.host}# ${c.command}`);
    if (c.stdout) out.push(c.stdout.replace(/\n$/, ''));
    if (c.stderr) out.push(c.stderr.replace(/\n$/, ''));
  }
  if (s.expectations.length) {
    out.push('', 'expectations:');
    for (const e of s.expectations) out.push(`  ${e.ok ? 'ok  ' : 'FAIL'} ${e.message}`);
  }
  return out.join('\n') + '\n';
}
