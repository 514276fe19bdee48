// The five IPv4 netfilter hooks and their traversal (net/netfilter/core.c
// `nf_hook_slow`). Tables, conntrack, NAT and defrag register `NfHookOps` at
// the kernel's priorities; a hook point runs them in priority order until one
// returns something other than NF_ACCEPT. With nothing registered every hook
// accepts, as on a kernel without netfilter modules loaded.

import type { Skb } from '../model/skb.js';
import { DropReason } from '../model/drop_reason.js';

/**
 * enum nf_inet_hooks (include/uapi/linux/netfilter.h). Kernel constants read
 * per packet are `const enum`s named by their kernel prefix (NF_INET_LOCAL_IN
 * is NF_INET.LOCAL_IN), which tsc writes as literals (ARCHITECTURE.md).
 */
export const enum NF_INET {
  PRE_ROUTING = 0,
  LOCAL_IN = 1,
  FORWARD = 2,
  LOCAL_OUT = 3,
  POST_ROUTING = 4,
  NUMHOOKS = 5,
}
export type NfHook = NF_INET.PRE_ROUTING | NF_INET.LOCAL_IN | NF_INET.FORWARD | NF_INET.LOCAL_OUT | NF_INET.POST_ROUTING;

export const HOOK_NAMES = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'] as const;

/** Verdicts (include/uapi/linux/netfilter.h). */
export const enum NF {
  DROP = 0,
  ACCEPT = 1,
  STOLEN = 2,
  QUEUE = 3,
  REPEAT = 4,
}
export const VERDICT_NAMES = ['drop', 'accept', 'stolen', 'queue', 'repeat'] as const;

/** enum nf_ip_hook_priorities (include/uapi/linux/netfilter_ipv4.h). */
export const NF_IP_PRI_FIRST = -2147483648;
export const NF_IP_PRI_CONNTRACK_DEFRAG = -400;
export const NF_IP_PRI_RAW = -300;
export const NF_IP_PRI_CONNTRACK = -200;
export const NF_IP_PRI_MANGLE = -150;
export const NF_IP_PRI_NAT_DST = -100;
export const NF_IP_PRI_FILTER = 0;
export const NF_IP_PRI_SECURITY = 50;
export const NF_IP_PRI_NAT_SRC = 100;
export const NF_IP_PRI_CONNTRACK_HELPER = 300;
export const NF_IP_PRI_CONNTRACK_CONFIRM = 2147483647;

/**
 * What a hook function sees besides the packet (struct nf_hook_state). One
 * instance per host is reused for every traversal, so filling it allocates nothing.
 */
export interface NfHookState {
  hook: NfHook;
  /** Input and output device names ("" when none), as -i/-o match them. */
  inDev: string;
  outDev: string;
  inIfindex: number;
  outIfindex: number;
  /** Simulated time of the traversal. */
  now: number;
  /** Set by a hook that returns NF_DROP; defaults to NETFILTER_DROP. */
  dropReason: number;
  /** Human text a hook leaves for the trace: the rule that matched, the ct state. */
  detail: string;
  /** Set by a hook that changed the destination (DNAT, mark re-route): routing must run again. */
  rerouteNeeded: boolean;
  /** Work done in this traversal, charged to the CPU from the cost table: rules evaluated, conntrack lookups and new entries. */
  rulesEvaluated: number;
  ctLookups: number;
  ctNew: number;
}

export interface NfHookOps {
  /** Name shown in the trace, e.g. `filter`, `nf_conntrack_in`. */
  readonly name: string;
  readonly priority: number;
  /** Returns NF_ACCEPT, NF_DROP, NF_STOLEN or NF_QUEUE. */
  hook(skb: Skb, state: NfHookState): number;
}

/** The registered ops of one host, per hook, in priority order (struct nf_hook_entries). */
export class NfHookEntries {
  private readonly entries: NfHookOps[][] = [[], [], [], [], []];
  readonly state: NfHookState = {
    hook: NF_INET.PRE_ROUTING, inDev: '', outDev: '', inIfindex: 0, outIfindex: 0,
    now: 0, dropReason: DropReason.NETFILTER_DROP, detail: '', rerouteNeeded: false,
    rulesEvaluated: 0, ctLookups: 0, ctNew: 0,
  };

  /** nf_register_net_hook: inserted after ops of equal priority, as the kernel does. */
  register(hook: NfHook, ops: NfHookOps): void {
    const list = this.entries[hook]!;
    let i = list.length;
    while (i > 0 && list[i - 1]!.priority > ops.priority) i--;
    list.splice(i, 0, ops);
  }

  unregister(hook: NfHook, ops: NfHookOps): void {
    const list = this.entries[hook]!;
    const i = list.indexOf(ops);
    if (i >= 0) list.splice(i, 1);
  }

  ops(hook: NfHook): readonly NfHookOps[] {
    return this.entries[hook]!;
  }

  isEmpty(hook: NfHook): boolean {
    return this.entries[hook]!.length === 0;
  }

  /**
   * nf_hook_slow: runs the ops of `hook` in order. Returns the final verdict;
   * on NF_DROP `state.dropReason` says why and `state.detail` what matched.
   */
  run(hook: NfHook, skb: Skb, inDev: string, inIfindex: number, outDev: string, outIfindex: number, now: number): number {
    const list = this.entries[hook]!;
    const st = this.state;
    st.hook = hook;
    st.inDev = inDev;
    st.inIfindex = inIfindex;
    st.outDev = outDev;
    st.outIfindex = outIfindex;
    st.now = now;
    st.dropReason = DropReason.NETFILTER_DROP;
    st.detail = '';
    st.rerouteNeeded = false;
    st.rulesEvaluated = 0;
    st.ctLookups = 0;
    st.ctNew = 0;
    for (let i = 0; i < list.length; i++) {
      const v = list[i]!.hook(skb, st);
      if (v !== NF.ACCEPT) return v;
    }
    return NF.ACCEPT;
  }
}
