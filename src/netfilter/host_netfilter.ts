// Netfilter on one simulated host: the iptables ruleset bound to the host's
// hooks (the RuleHost the rules call back into) and conntrack, loaded on
// demand as the kernel autoloads nf_conntrack when a rule needs it
// (nf_ct_netns_get). Installed into scenario building through hostExtensions.

import type { Host } from '../model/host.js';
import type { Skb } from '../model/skb.js';
import { parseCidr } from '../model/inet.js';
import type { NfHook, NfHookEntries, NfHookOps } from './hooks.js';
import type { RuleHost } from './nf_conntrack_common.js';
import { Conntrack, CT_STAT_FIELDS, type IpConntrackStat } from './conntrack/index.js';
import { formatRuleError, installRuleset, iptablesRestore, Ruleset, type InstalledRuleset } from './iptables/index.js';
import { ICMP_DEST_UNREACH, icmpSend } from '../routing/icmp.js';
import { nfSendReset } from './nf_reject_ipv4.js';
import { hostExtensions } from '../scenario/extensions.js';
import type { HostDoc } from '../scenario/schema.js';
import type { CompileOptions } from '../scenario/build.js';

type Report = (path: (string | number)[], message: string, onKey?: boolean) => void;

/** One ipset (hash:net): address and prefix mask pairs. */
interface IpSet {
  addrs: number[];
  masks: number[];
}

export class HostNetfilter implements RuleHost {
  readonly name: string;
  readonly ruleset = new Ruleset();
  /** The loaded conntrack module, null until something needs it. */
  ct: Conntrack | null = null;
  readonly ipsets = new Map<string, IpSet>();
  /** Reads a file named on a tool's command line (iptables-restore FILE); from the scenario's compile options. */
  readFile: ((path: string) => string | Uint8Array | null) | null = null;
  private readonly installed: InstalledRuleset;

  constructor(readonly host: Host) {
    this.name = host.name;
    this.installed = installRuleset(this.ruleset, this.tableHooks(), this);
  }

  get conntrack(): Conntrack | null {
    return this.ct;
  }

  /** The hooks installRuleset registers on: the nat table goes through conntrack (nf_nat_register_fn), the rest straight on. */
  private tableHooks(): NfHookEntries {
    const hooks = this.host.hooks;
    const self = this;
    const natAware = Object.create(hooks) as NfHookEntries;
    natAware.register = (hook: NfHook, ops: NfHookOps): void => {
      if (ops.name !== 'nat') return hooks.register(hook, ops);
      self.requireConntrack();
      self.ct!.registerNatTable(hook, ops);
    };
    natAware.unregister = (hook: NfHook, ops: NfHookOps): void => {
      if (ops.name !== 'nat') return hooks.unregister(hook, ops);
      self.ct?.unregisterNatTable(hook, ops);
    };
    return natAware;
  }

  uninstall(): void {
    this.installed.uninstall();
  }

  now(): number {
    return this.host.sim.now;
  }

  printk(line: string): void {
    this.host.printk(line);
  }

  addrType(addr: number): number {
    return this.host.fib.addrType(addr);
  }

  devAddr(ifname: string): number | null {
    return this.host.devByName.get(ifname)?.primaryAddr() ?? null;
  }

  private cpuOf(skb: Skb) {
    return this.host.cpus[skb.cpu] ?? this.host.cpus[0]!;
  }

  sendUnreach(skb: Skb, code: number): void {
    icmpSend(this.host, this.cpuOf(skb), skb, ICMP_DEST_UNREACH, code, 0);
  }

  sendReset(skb: Skb): void {
    nfSendReset(this.host, this.cpuOf(skb), skb);
  }

  ipsetTest(name: string, skb: Skb, dirs: readonly ('src' | 'dst')[]): boolean | undefined {
    const set = this.ipsets.get(name);
    if (!set) return undefined;
    // hash:ip / hash:net have one dimension: only the first direction flag counts.
    const addr = dirs[0] === 'dst' ? skb.daddr : skb.saddr;
    for (let i = 0; i < set.addrs.length; i++) {
      if (((addr & set.masks[i]!) >>> 0) === set.addrs[i]) return true;
    }
    return false;
  }

  random(): number {
    return this.host.random.next();
  }

  /** Loads nf_conntrack on the host: hooks registered, host.conntrack set, net.netfilter.* sysctls defined. */
  requireConntrack(): void {
    if (this.ct) return;
    const host = this.host;
    const ct = new Conntrack({
      scheduler: host.sim,
      random: host.world.streams.get(`conntrack:${host.name}`),
      printk: (line) => host.printk(line),
      hostName: host.name,
      ncpus: host.cpus.length,
    });
    this.ct = ct;
    ct.register(host.hooks);
    host.conntrack = ct;
    for (const key of Object.keys(ct.sysctl) as (keyof typeof ct.sysctl)[]) {
      host.sysctl.define(`net.netfilter.${key}`, { value: ct.sysctl[key], min: 0 });
    }
    host.sysctl.define('net.nf_conntrack_max', { value: ct.sysctl.nf_conntrack_max, min: 0 });
    // nf_conntrack_count is read-only and computed on read (its proc handler reads cnet->count).
    host.sysctl.define(COUNT_KEY, { value: 0, readonly: true, read: () => ct.count });
    const prevChange = host.onSysctlChange;
    host.onSysctlChange = (key) => {
      if (key.startsWith('net.netfilter.nf_conntrack_') || key === 'net.nf_conntrack_max') this.applySysctl(key);
      prevChange?.(key);
    };
    const prevLookup = host.counterLookup;
    host.counterLookup = (name) => this.counter(name) ?? prevLookup?.(name) ?? null;
  }

  /** Loads conntrack when the ruleset now has a ct/state match or NAT, before any packet meets it. */
  syncConntrack(): void {
    if (this.ruleset.usesConntrack) this.requireConntrack();
  }

  /** Hands a written sysctl to conntrack and mirrors the max under both of its names. */
  applySysctl(key: string): string | null {
    const ct = this.ct;
    if (!ct) return null;
    const err = ct.setSysctl(key, this.host.sysctl.get(key));
    if (err) return err;
    if (key === 'net.nf_conntrack_max') this.host.sysctl.set('net.netfilter.nf_conntrack_max', ct.sysctl.nf_conntrack_max);
    else if (key === 'net.netfilter.nf_conntrack_max') this.host.sysctl.set('net.nf_conntrack_max', ct.sysctl.nf_conntrack_max);
    return null;
  }

  /** `conntrack.count` and `conntrack.STAT` (summed over CPUs, as conntrack -S totals) for expectations. */
  counter(name: string): number | null {
    const ct = this.ct;
    if (!ct || !name.startsWith('conntrack.')) return null;
    const field = name.slice('conntrack.'.length);
    if (field === 'count') return ct.count;
    if ((CT_STAT_FIELDS as readonly string[]).includes(field)) return ct.stats.total(field as keyof IpConntrackStat);
    return null;
  }
}

const COUNT_KEY = 'net.netfilter.nf_conntrack_count';

const byHost = new WeakMap<Host, HostNetfilter>();

/** The host's netfilter state, created (with an empty ruleset) on first use. */
export function hostNetfilter(host: Host): HostNetfilter {
  let nf = byHost.get(host);
  if (!nf) {
    nf = new HostNetfilter(host);
    byHost.set(host, nf);
  }
  return nf;
}

function parseIpsets(nf: HostNetfilter, sets: Record<string, string[]>, report: Report): void {
  for (const [name, entries] of Object.entries(sets)) {
    const set: IpSet = { addrs: [], masks: [] };
    entries.forEach((text, i) => {
      const c = parseCidr(text.includes('/') ? text : `${text}/32`);
      if (!c) return report(['ipsets', name, i], `"${text}" is not an IPv4 address or CIDR`);
      const mask = c.len === 0 ? 0 : (0xffffffff << (32 - c.len)) >>> 0;
      set.addrs.push((c.addr & mask) >>> 0);
      set.masks.push(mask);
    });
    nf.ipsets.set(name, set);
  }
}

function textOf(data: string | Uint8Array): string {
  return typeof data === 'string' ? data : new TextDecoder().decode(data);
}

/** Scenario keys iptables, iptables_file, ipsets and conntrack of one host. */
export function configureHostNetfilter(host: Host, h: HostDoc, opts: CompileOptions, report: Report): void {
  const wants = h.iptables !== undefined || h.iptables_file !== undefined || h.ipsets !== undefined || h.conntrack === true;
  if (!wants) return;
  const nf = hostNetfilter(host);
  nf.readFile = opts.readFile ?? null;
  if (h.conntrack) {
    nf.requireConntrack();
    // Scenario sysctls were written before conntrack existed; hand conntrack's keys over now.
    for (const key of Object.keys(h.sysctl ?? {})) {
      const k = key.replaceAll('/', '.');
      if (k.startsWith('net.netfilter.') || k === 'net.nf_conntrack_max') {
        const err = nf.applySysctl(k);
        if (err) report(['sysctl', key], err, true);
      }
    }
  }
  if (h.ipsets) parseIpsets(nf, h.ipsets, report);
  const load = (key: 'iptables' | 'iptables_file', text: string, fileName: string): void => {
    const errors = iptablesRestore(text, nf.ruleset, fileName);
    for (const e of errors) report([key], formatRuleError(e));
    nf.syncConntrack();
  };
  if (h.iptables_file !== undefined) {
    const data = opts.readFile?.(h.iptables_file) ?? null;
    if (data === null) report(['iptables_file'], `cannot read "${h.iptables_file}"`);
    else load('iptables_file', textOf(data), h.iptables_file);
  }
  if (h.iptables !== undefined) load('iptables', h.iptables, 'iptables');
}

// Scenario sysctls for net.netfilter.* need the keys defined before they are written.
const prevBefore = hostExtensions.beforeSysctls;
hostExtensions.beforeSysctls = (host, h, report) => {
  if (h.conntrack) hostNetfilter(host).requireConntrack();
  prevBefore?.(host, h, report);
};
const prevConfigure = hostExtensions.configureHost;
hostExtensions.configureHost = (host, h, opts, report) => {
  prevConfigure?.(host, h, opts, report);
  configureHostNetfilter(host, h, opts, report);
};
