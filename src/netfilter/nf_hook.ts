// NF_HOOK: runs one hook point for a packet on the packet path, charges its
// cost, traces the verdict, and frees the packet when a hook drops it.

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import type { Skb } from '../model/skb.js';
import type { StageDef } from '../model/trace.js';
import { HOOK_NAMES, NF, type NfHook, VERDICT_NAMES } from './hooks.js';
import { kfreeSkbReason } from '../model/skb_free.js';

/**
 * Returns true when the packet may continue (NF_ACCEPT). On NF_DROP the
 * packet is freed with the hook's reason; on NF_STOLEN a hook kept it.
 */
export function nfHook(
  host: Host, cpu: Cpu, hook: NfHook, skb: Skb, inIfindex: number, outIfindex: number, stage: StageDef,
): boolean {
  const hooks = host.hooks;
  const devName = host.devName(outIfindex || inIfindex) || undefined;
  if (hooks.isEmpty(hook)) {
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, devName, skb, stage, `${HOOK_NAMES[hook]}: no rules loaded, accept`, 'accept');
    return true;
  }
  cpu.charge(host.costs.nf_hook);
  const v = hooks.run(hook, skb, host.devName(inIfindex), inIfindex, host.devName(outIfindex), outIfindex, cpu.now);
  const st = hooks.state;
  const c = host.costs;
  cpu.charge(c.nf_rule * st.rulesEvaluated + c.nf_conntrack_lookup * st.ctLookups + c.nf_conntrack_new * st.ctNew);
  if (v === NF.ACCEPT) {
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, devName, skb, stage, `${HOOK_NAMES[hook]}: ${st.detail || 'accept'}`, 'accept');
    return true;
  }
  if (v === NF.STOLEN) {
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, devName, skb, stage, `${HOOK_NAMES[hook]}: ${st.detail || 'stolen'}`, 'stolen');
    return false;
  }
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, devName, skb, stage, `${HOOK_NAMES[hook]}: ${st.detail || VERDICT_NAMES[v]}`, VERDICT_NAMES[v] ?? 'drop');
  kfreeSkbReason(host, cpu.id, cpu.now, skb, stage, 'nf_hook_slow', st.dropReason, `${HOOK_NAMES[hook]} dropped it: ${st.detail}`, devName);
  return false;
}
