// Joins issue 4's pure modules (NIC features, fragmentation, reassembly,
// PMTU route exceptions, software GSO) to the packet path through the hooks
// the path exposes (Host.ipFragment, ipDefrag, validateXmitSkb, pmtuLookup,
// icmpErrorHandlers; NetDevice.features) and the scenario builder's
// extension points. Loaded for its side effect by src/scenario/build.ts.
//
//   device   NetdevFeatures from the nic's `driver:` (virtio_net for a
//            physical nic, veth for a veth), then `offloads:` as
//            `ethtool -K` would apply it (ethnl_set_features).
//   host     ip_fragment (net/ipv4/ip_output.c), ip_defrag for local
//            delivery (net/ipv4/ip_fragment.c), the fnhe PMTU cache and its
//            ICMP 3/4 receiver (__ip_rt_update_pmtu, tcp_v4_mtu_reduced),
//            and validate_xmit_skb's software GSO (net/core/dev.c).

import type { Host } from '../model/host.js';
import { CTX_SOFTIRQ, type Cpu } from '../model/cpu.js';
import type { Skb } from '../model/skb.js';
import type { NetDevice } from '../nic/net_device.js';
import type { NicDoc } from '../scenario/schema.js';
import type { DropReasonCode } from '../model/drop_reason.js';
import { DropReason } from '../model/drop_reason.js';
import { IPPROTO, nfResetCt } from '../model/skb.js';
import { Stage } from '../model/trace.js';
import { kfreeSkbReason } from '../model/skb_free.js';
import { formatIpv4 } from '../model/inet.js';
import { hostExtensions } from '../scenario/extensions.js';
import {
  NETDEV_FEATURE_NAMES, createNetdevFeatures, featureBit, type DeviceKind, type NetdevFeatures,
} from '../nic/netdev_features.js';
import { featureNamesFor } from '../tools/ethtool_features.js';
import { ipFragment } from '../routing/ip_fragment.js';
import { FRAG_QUEUED, IP_DEFRAG_LOCAL_DELIVER, IpDefrag } from '../routing/ip_defrag.js';
import { PmtuCache } from '../routing/route_exception.js';
import {
  ICMP_DEST_UNREACH, ICMP_EXC_FRAGTIME, ICMP_FRAG_NEEDED, ICMP_TIME_EXCEEDED, icmpSend,
} from '../routing/icmp.js';
import { netifNeedsGso, skbGsoSegment } from '../nic/gso.js';
import { tcpEstabKey } from '../transport/sock.js';
import type { TcpSock } from '../transport/tcp_sock.js';
import { tcpPmtuReduced } from './tcp_mtu.js';

/** Per-host state the hooks keep: one reassembly netns, one PMTU cache. */
export class HostOffloadState {
  readonly defrag: IpDefrag;
  readonly pmtu = new PmtuCache();
  /** Fragments held in reassembly queues, by skb id, so each one's journey can end when its datagram is rebuilt. */
  readonly heldFrags = new Map<number, Skb>();

  constructor(readonly host: Host) {
    this.defrag = new IpDefrag(host.sim, host.snmp, {
      fragDropped: (skb, reason) => this.fragDropped(skb, reason),
      sendTimeExceeded: (head) => this.sendTimeExceeded(head),
    });
  }

  private fragDropped(skb: Skb, reason: DropReasonCode): void {
    this.heldFrags.delete(skb.id);
    const host = this.host;
    const cpu = host.cpus[skb.cpu] ?? host.cpus[0]!;
    kfreeSkbReason(host, cpu.id, host.sim.now, skb, Stage.DEFRAG, 'ip_defrag', reason,
      reason === DropReason.FRAG_REASM_TIMEOUT
        ? `reassembly queue for id ${skb.ipId} from ${formatIpv4(skb.saddr)} given up (ipfrag_time ${host.sysctl.get('net.ipv4.ipfrag_time')} s or queue killed)`
        : `reassembly queue for id ${skb.ipId} discarded (${reason === DropReason.FRAG_TOO_FAR ? 'more than ipfrag_max_dist fragments from this peer since it grew' : 'inconsistent fragment'})`,
      host.devName(skb.ifindex) || undefined);
  }

  private sendTimeExceeded(head: Skb): void {
    const host = this.host;
    const cpu = host.cpus[head.cpu] ?? host.cpus[0]!;
    // ip_expire runs from a timer: charge it as softirq work on the fragment's CPU.
    cpu.begin(host.sim.now, CTX_SOFTIRQ);
    icmpSend(host, cpu, head, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
    cpu.end();
  }
}

const states = new WeakMap<Host, HostOffloadState>();

/** The offload state of `host`, created on first use. */
export function offloadState(host: Host): HostOffloadState {
  let s = states.get(host);
  if (!s) {
    s = new HostOffloadState(host);
    states.set(host, s);
  }
  return s;
}

/** The NetdevFeatures of a device, or null (loopback, or a device built outside a scenario). */
export function devFeatures(dev: NetDevice): NetdevFeatures | null {
  return dev.features as NetdevFeatures | null;
}

/** ip_fragment as ip_finish_output calls it: DF refusal → ICMP 3/4 and PKT_TOO_BIG, else the fragments. */
export function hostIpFragment(host: Host, cpu: Cpu, skb: Skb, mtu: number, dev: NetDevice): Skb[] | null {
  const r = ipFragment(skb, mtu, host.snmp);
  if (!r.ok) {
    // A forwarded packet's sender gets the ICMP; a local one gets it through loopback, as icmp_send does.
    icmpSend(host, cpu, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.FRAGMENT, 'ip_fragment', r.reason,
      `${skb.len} bytes with DF set exceed MTU ${mtu} of ${dev.name}: FragFails, ICMP fragmentation needed (mtu ${mtu})`, dev.name);
    return null;
  }
  cpu.charge(host.costs.ip_output * r.skbs.length);
  // The last fragment carries the socket charge (skb->sk, truesize) so sock_wfree runs once.
  if (skb.sk !== null) {
    const last = r.skbs[r.skbs.length - 1]!;
    for (const f of r.skbs) f.sk = null;
    last.sk = skb.sk;
    last.truesize = skb.truesize;
    skb.sk = null;
  }
  // The fragments are new packets; the original is consume_skb'd by ip_do_fragment.
  nfResetCt(skb);
  const w = host.world.packets;
  w.injected += r.skbs.length;
  w.delivered++;
  if (host.tr.on) {
    const ids = r.skbs.map((f) => f.id).join(', ');
    host.tr.stage(cpu.now, host.name, cpu.id, dev.name, skb, Stage.FRAGMENT,
      `ip_do_fragment: ${skb.len} bytes exceed MTU ${mtu} of ${dev.name}: cut into ${r.skbs.length} fragments (skbs ${ids}) of at most ${mtu} bytes, IP id ${skb.ipId}`,
      'consume');
    for (const f of r.skbs) {
      host.tr.stage(cpu.now, host.name, cpu.id, dev.name, f, Stage.FRAGMENT,
        `fragment of skb ${skb.id}: offset ${(f.fragOff & 0x1fff) << 3}, ${f.len} bytes${f.fragOff & 0x2000 ? ', MF' : ''}`);
    }
  }
  return r.skbs;
}

/** ip_defrag(IP_DEFRAG_LOCAL_DELIVER) from ip_local_deliver: the whole datagram, or null while held or dropped. */
export function hostIpDefrag(host: Host, cpu: Cpu, skb: Skb): Skb | null {
  const st = offloadState(host);
  readDefragSysctls(host, st);
  const r = st.defrag.defrag(skb, IP_DEFRAG_LOCAL_DELIVER);
  const devName = host.devName(skb.ifindex) || undefined;
  if (r === FRAG_QUEUED) {
    st.heldFrags.set(skb.id, skb);
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, devName, skb, Stage.DEFRAG,
      `fragment id ${skb.ipId} offset ${(skb.fragOff & 0x1fff) << 3}${skb.fragOff & 0x2000 ? ' MF' : ''}: held in a reassembly queue (${st.defrag.queues} open, ${st.defrag.mem} bytes)`);
    return null;
  }
  if (typeof r === 'number') {
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.DEFRAG, 'ip_defrag', r,
      r === DropReason.DUP_FRAG ? `duplicate fragment id ${skb.ipId} offset ${(skb.fragOff & 0x1fff) << 3}`
        : r === DropReason.NOMEM ? `reassembly memory above ipfrag_high_thresh: fragment dropped (ReasmFails)`
          : `fragment id ${skb.ipId} rejected; its queue is discarded (ReasmFails)`,
      devName);
    return null;
  }
  cpu.charge(host.costs.ip_local_deliver);
  const whole = r;
  whole.cpu = cpu.id;
  const parts = whole.parts ?? [];
  // The rebuilt datagram is a new packet; each fragment's journey ends inside it (consume_skb).
  const w = host.world.packets;
  w.injected++;
  w.delivered += parts.length;
  if (host.tr.on) {
    for (const id of parts) {
      const f = id === skb.id ? skb : st.heldFrags.get(id);
      if (f) host.tr.stage(cpu.now, host.name, cpu.id, devName, f, Stage.DEFRAG, `reassembled into skb ${whole.id}`, 'consume');
    }
    host.tr.stage(cpu.now, host.name, cpu.id, devName, whole, Stage.DEFRAG,
      `ip_frag_reasm: ${parts.length} fragments (skbs ${parts.join(', ')}) rebuilt into one ${whole.len}-byte datagram`);
  }
  for (const id of parts) st.heldFrags.delete(id);
  return whole;
}

/** The netns reassembly sysctls, read per fragment so `sysctl -w` takes effect at once. */
function readDefragSysctls(host: Host, st: HostOffloadState): void {
  st.defrag.highThresh = host.sysctl.get('net.ipv4.ipfrag_high_thresh');
  st.defrag.timeoutNs = host.sysctl.get('net.ipv4.ipfrag_time') * 1e9;
  st.defrag.maxDist = host.sysctl.get('net.ipv4.ipfrag_max_dist');
}

/** ipv4_mtu for local output: the learned PMTU toward `daddr`, 0 when none. */
export function hostPmtuLookup(host: Host, daddr: number): number {
  const e = offloadState(host).pmtu.lookup(daddr, host.sim.now);
  return e ? e.mtu : 0;
}

/**
 * icmp_unreach for ICMP_FRAG_NEEDED → ipv4_update_pmtu / __ip_rt_update_pmtu,
 * then the socket's err_handler: tcp_v4_err → tcp_v4_mtu_reduced. Returns
 * true when a TCP socket took it. Other errors are left to other handlers.
 */
export function pmtuIcmpHandler(host: Host, cpu: Cpu, skb: Skb): boolean {
  if (skb.icmpType !== ICMP_DEST_UNREACH || skb.icmpCode !== ICMP_FRAG_NEEDED || !skb.quoted) return false;
  const q = skb.quoted;
  if (!host.isLocalAddr(q.saddr)) return false;
  const rt = host.fib.lookup(q.daddr);
  const devMtu = rt?.mtu || rt?.dev?.mtu || 1500;
  const st = offloadState(host);
  st.pmtu.mtuExpires = host.sysctl.get('net.ipv4.route.mtu_expires');
  st.pmtu.minPmtu = host.sysctl.get('net.ipv4.route.min_pmtu');
  const mtu = st.pmtu.update(q.daddr, skb.icmpSeq, devMtu, cpu.now);
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, host.devName(skb.ifindex) || undefined, skb, Stage.L4_RX,
    `__ip_rt_update_pmtu: route exception for ${formatIpv4(q.daddr)}: mtu ${mtu}, expires in ${st.pmtu.mtuExpires} s`,
    undefined, undefined, '__ip_rt_update_pmtu');
  // UDP and ping sockets learn it through the route (later sends see the PMTU); other handlers may still take the error.
  if (q.protocol !== IPPROTO.TCP) return false;
  const list = host.sockets.tcpEstab.get(tcpEstabKey(q.sport, q.dport));
  let took = false;
  if (list) {
    for (const sk of list as TcpSock[]) {
      if (sk.daddr !== q.daddr || sk.saddr !== q.saddr) continue;
      tcpPmtuReduced(host, cpu, sk, mtu);
      took = true;
    }
  }
  return took;
}

/**
 * validate_xmit_skb → skb_gso_segment when the device cannot take the
 * super-packet (netif_needs_gso). Returns the segments, or null to send the
 * skb as it is.
 */
export function hostValidateXmitSkb(host: Host, cpu: Cpu, dev: NetDevice, skb: Skb): Skb[] | null {
  if (skb.gsoSize === 0) return null;
  const f = devFeatures(dev);
  if (f && !netifNeedsGso(skb, f)) return null;
  const segs = skbGsoSegment(skb);
  if (!segs) {
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.GSO, 'validate_xmit_skb', DropReason.SKB_GSO_SEG,
      `GSO skb of protocol ${skb.protocol} cannot be segmented`, dev.name);
    return [];
  }
  if (segs.length === 1 && segs[0] === skb) return null;
  cpu.charge(host.costs.driver_xmit * segs.length);
  // validate_xmit_skb consume_skb's the super-packet once it is segmented.
  nfResetCt(skb);
  const w = host.world.packets;
  w.injected += segs.length;
  w.delivered++;
  if (host.tr.on) {
    host.tr.stage(cpu.now, host.name, cpu.id, dev.name, skb, Stage.GSO,
      `${dev.name} lacks TSO: software GSO cuts the ${skb.len}-byte super-packet into ${segs.length} segments of ${skb.gsoSize} bytes (skbs ${segs[0]!.id}-${segs[segs.length - 1]!.id})`,
      'consume');
    for (const s of segs) host.tr.stage(cpu.now, host.name, cpu.id, dev.name, s, Stage.GSO,
      `segment of skb ${skb.id}: seq ${s.seq >>> 0}, ${s.payloadLen} bytes`);
  }
  // The segments carry the socket charge of the original (skb->sk, destructor): uncharged once, by the last.
  if (skb.sk !== null) {
    const owner = skb.sk;
    for (const s of segs) s.sk = null;
    segs[segs.length - 1]!.sk = owner;
    segs[segs.length - 1]!.truesize = skb.truesize;
    skb.sk = null;
  }
  return segs;
}

/** Kernel feature names an `offloads:` key stands for, or an empty list when unknown. */
function offloadKeyBits(name: string): number[] {
  return featureNamesFor(name).map((n) => featureBit(n));
}

/** configureDevice: features from `driver:`, then `offloads:` as ethtool -K applies them. */
export function configureDeviceOffloads(
  _host: Host, dev: NetDevice, nic: NicDoc, report: (path: (string | number)[], message: string) => void,
): void {
  if (dev.kind === 'loopback') return;
  const kind: DeviceKind = nic.driver ?? (dev.kind === 'veth' ? 'veth' : 'virtio_net');
  const f = createNetdevFeatures(kind);
  dev.features = f;
  const req = nic.offloads ?? {};
  const wanted: Array<[string, number[], boolean]> = [];
  for (const [name, v] of Object.entries(req)) {
    const bits = offloadKeyBits(name);
    if (bits.length === 0) {
      report(['offloads', name],
        `unknown offload "${name}" (use an ethtool -K name: rx, tx, sg, tso, gso, gro, lro, rxvlan, txvlan, ntuple, rxhash, or a feature name such as rx-gro-hw)`);
      continue;
    }
    const on = v === true || v === 'on';
    f.setWanted(bits, on);
    wanted.push([name, bits, on]);
  }
  f.update();
  for (const [name, bits, on] of wanted) {
    if (bits.some((b) => f.active[b] === (on ? 1 : 0))) continue;
    const fixed = bits.filter((b) => !f.hw[b]).map((b) => NETDEV_FEATURE_NAMES[b]!);
    report(['offloads', name], fixed.length === bits.length
      ? `${name} cannot be turned ${on ? 'on' : 'off'} on a ${kind} device: ${fixed.join(', ')} ${fixed.length > 1 ? 'are' : 'is'} [fixed] ${on ? 'off' : 'on'}`
      : `${name} stays ${on ? 'off' : 'on'} on a ${kind} device: a feature it depends on is off (netdev_fix_features)`);
  }
}

/** configureHost: the per-host hooks. */
export function installHostOffloads(host: Host): void {
  offloadState(host);
  host.ipFragment = hostIpFragment;
  host.ipDefrag = hostIpDefrag;
  host.pmtuLookup = hostPmtuLookup;
  host.validateXmitSkb = hostValidateXmitSkb;
  if (!host.icmpErrorHandlers.includes(pmtuIcmpHandler)) host.icmpErrorHandlers.unshift(pmtuIcmpHandler);
}

const prevDevice = hostExtensions.configureDevice;
const prevHost = hostExtensions.configureHost;
if (!(prevDevice as { offloads?: true } | undefined)?.offloads) {
  const configureDevice: NonNullable<typeof hostExtensions.configureDevice> & { offloads?: true } = (host, dev, nic, report) => {
    configureDeviceOffloads(host, dev, nic, report);
    prevDevice?.(host, dev, nic, report);
  };
  configureDevice.offloads = true;
  hostExtensions.configureDevice = configureDevice;
  hostExtensions.configureHost = (host, h, opts, report) => {
    installHostOffloads(host);
    prevHost?.(host, h, opts, report);
  };
}
