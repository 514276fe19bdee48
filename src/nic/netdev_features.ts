// A device's offload feature set (netdev_features_t, include/linux/netdev_features.h)
// and how it changes: `__netdev_update_features` recomputes the active set
// from the user's wanted set and `netdev_fix_features` drops features whose
// prerequisites are gone (TSO needs SG and a TX checksum feature, ...).
//
// Model: three per-feature bit arrays indexed by feature number, in the
// kernel's bit order (which is also the order ethtool prints "Actual
// changes:" in):
//   hw      dev->hw_features: what the user may toggle; everything else is
//           `[fixed]` in `ethtool -k`.
//   wanted  dev->wanted_features: what the user asked for (⊆ hw).
//   active  dev->features: what is in effect.
// Hot-path readers use the plain boolean getters (`tso`, `gso`, `gro`, ...),
// which read one array slot.
//
// API (the integrator calls):
//   createNetdevFeatures(kind)          a device's defaults; kind: 'veth' |
//                                       'virtio_net' | 'ixgbe' | 'mlx5'
//   f.has(NETIF_F.TSO)                  is the feature active
//   f.setWanted(bits, on); f.update()   what ethtool -K does (ethnl_set_features)
//   setFeaturesByName(f, req)           the whole FEATURES_SET request as ethtool
//                                       sends it; used by src/tools/ethtool_features.ts
//   devDisableLro(f)                    ip_forward=1 / bridge join (dev_disable_lro)
//
// Validation: the veth and virtio_net profiles and every dependency rule
// exercised by test/tools/ethtool_features.test.ts were captured from ethtool
// 6.1 on Linux 6.18 (test/tools/fixtures/ethtool/). The ixgbe and mlx5
// profiles follow the drivers' probe code [src] and were not run here.

/**
 * Feature numbers (NETIF_F_*_BIT) in 6.18 bit order. Bits whose names the
 * 6.18 kernel no longer exports (NETNS_LOCAL, GSO_UDP, FCOE_MTU) are left out;
 * only the relative order matters to any output.
 */
export const NETIF_F = {
  SG: 0,
  IP_CSUM: 1,
  HW_CSUM: 2,
  IPV6_CSUM: 3,
  HIGHDMA: 4,
  FRAGLIST: 5,
  HW_VLAN_CTAG_TX: 6,
  HW_VLAN_CTAG_RX: 7,
  HW_VLAN_CTAG_FILTER: 8,
  VLAN_CHALLENGED: 9,
  GSO: 10,
  GRO: 11,
  LRO: 12,
  TSO: 13,
  GSO_ROBUST: 14,
  TSO_ECN: 15,
  TSO_MANGLEID: 16,
  TSO6: 17,
  FSO: 18,
  GSO_GRE: 19,
  GSO_GRE_CSUM: 20,
  GSO_IPXIP4: 21,
  GSO_IPXIP6: 22,
  GSO_UDP_TUNNEL: 23,
  GSO_UDP_TUNNEL_CSUM: 24,
  GSO_PARTIAL: 25,
  GSO_TUNNEL_REMCSUM: 26,
  GSO_SCTP: 27,
  GSO_ESP: 28,
  GSO_UDP_L4: 29,
  GSO_FRAGLIST: 30,
  GSO_ACCECN: 31,
  FCOE_CRC: 32,
  SCTP_CRC: 33,
  NTUPLE: 34,
  RXHASH: 35,
  RXCSUM: 36,
  NOCACHE_COPY: 37,
  LOOPBACK: 38,
  RXFCS: 39,
  RXALL: 40,
  HW_VLAN_STAG_TX: 41,
  HW_VLAN_STAG_RX: 42,
  HW_VLAN_STAG_FILTER: 43,
  HW_L2FW_DOFFLOAD: 44,
  HW_TC: 45,
  HW_ESP: 46,
  HW_ESP_TX_CSUM: 47,
  RX_UDP_TUNNEL_PORT: 48,
  HW_TLS_TX: 49,
  HW_TLS_RX: 50,
  GRO_HW: 51,
  HW_TLS_RECORD: 52,
  GRO_FRAGLIST: 53,
  HW_MACSEC: 54,
  GRO_UDP_FWD: 55,
  HW_HSR_TAG_INS: 56,
  HW_HSR_TAG_RM: 57,
  HW_HSR_FWD: 58,
  HW_HSR_DUP: 59,
} as const;

export const NETDEV_FEATURE_COUNT = 60;

/** netdev_features_strings[] (net/ethtool/common.c), indexed by NETIF_F. */
export const NETDEV_FEATURE_NAMES: readonly string[] = [
  'tx-scatter-gather', 'tx-checksum-ipv4', 'tx-checksum-ip-generic', 'tx-checksum-ipv6', 'highdma',
  'tx-scatter-gather-fraglist', 'tx-vlan-hw-insert', 'rx-vlan-hw-parse', 'rx-vlan-filter', 'vlan-challenged',
  'tx-generic-segmentation', 'rx-gro', 'rx-lro', 'tx-tcp-segmentation', 'tx-gso-robust',
  'tx-tcp-ecn-segmentation', 'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation', 'tx-fcoe-segmentation',
  'tx-gre-segmentation', 'tx-gre-csum-segmentation', 'tx-ipxip4-segmentation', 'tx-ipxip6-segmentation',
  'tx-udp_tnl-segmentation', 'tx-udp_tnl-csum-segmentation', 'tx-gso-partial', 'tx-tunnel-remcsum-segmentation',
  'tx-sctp-segmentation', 'tx-esp-segmentation', 'tx-udp-segmentation', 'tx-gso-list', 'tx-tcp-accecn-segmentation',
  'tx-checksum-fcoe-crc', 'tx-checksum-sctp', 'rx-ntuple-filter', 'rx-hashing', 'rx-checksum', 'tx-nocache-copy',
  'loopback', 'rx-fcs', 'rx-all', 'tx-vlan-stag-hw-insert', 'rx-vlan-stag-hw-parse', 'rx-vlan-stag-filter',
  'l2-fwd-offload', 'hw-tc-offload', 'esp-hw-offload', 'esp-tx-csum-hw-offload', 'rx-udp_tunnel-port-offload',
  'tls-hw-tx-offload', 'tls-hw-rx-offload', 'rx-gro-hw', 'tls-hw-record', 'rx-gro-list', 'macsec-hw-offload',
  'rx-udp-gro-forwarding', 'hsr-tag-ins-offload', 'hsr-tag-rm-offload', 'hsr-fwd-offload', 'hsr-dup-offload',
];

const NAME_TO_BIT = new Map<string, number>(NETDEV_FEATURE_NAMES.map((n, i) => [n, i]));

/** The feature number of a kernel feature name, or -1. */
export function featureBit(name: string): number {
  return NAME_TO_BIT.get(name) ?? -1;
}

const ALL_TSO = [NETIF_F.TSO, NETIF_F.TSO6, NETIF_F.TSO_ECN, NETIF_F.TSO_MANGLEID];

export type DeviceKind = 'veth' | 'virtio_net' | 'ixgbe' | 'mlx5';

interface Profile {
  /** Features the user may change (dev->hw_features). */
  changeable: readonly string[];
  /** Features on at registration (dev->features). */
  on: readonly string[];
}

const VETH_CHANGEABLE = [
  'rx-checksum', 'tx-checksum-ip-generic', 'tx-checksum-sctp', 'tx-scatter-gather', 'tx-scatter-gather-fraglist',
  'tx-tcp-segmentation', 'tx-tcp-ecn-segmentation', 'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation',
  'tx-tcp-accecn-segmentation', 'tx-generic-segmentation', 'rx-gro', 'rx-vlan-hw-parse', 'tx-vlan-hw-insert',
  'highdma', 'tx-gre-segmentation', 'tx-gre-csum-segmentation', 'tx-ipxip4-segmentation', 'tx-ipxip6-segmentation',
  'tx-udp_tnl-segmentation', 'tx-udp_tnl-csum-segmentation', 'tx-sctp-segmentation', 'tx-udp-segmentation',
  'tx-gso-list', 'tx-nocache-copy', 'tx-vlan-stag-hw-insert', 'rx-vlan-stag-hw-parse', 'rx-gro-list',
  'rx-udp-gro-forwarding',
];

/** Device profiles: which features exist, which are fixed, which start on. */
const PROFILES: Record<DeviceKind, Profile> = {
  // veth_setup (drivers/net/veth.c): everything software can do, GRO off
  // until XDP or `ethtool -K gro on` gives it a NAPI [live, ethtool 6.1].
  veth: {
    changeable: VETH_CHANGEABLE,
    on: VETH_CHANGEABLE.filter((n) => !['rx-gro', 'tx-nocache-copy', 'rx-gro-list', 'rx-udp-gro-forwarding'].includes(n)),
  },
  // virtio_net with csum/gso/guest offloads negotiated, as on the reference VM [live].
  virtio_net: {
    changeable: [
      'tx-checksum-ip-generic', 'tx-scatter-gather', 'tx-tcp-segmentation', 'tx-tcp-mangleid-segmentation',
      'tx-tcp6-segmentation', 'tx-generic-segmentation', 'rx-gro', 'tx-nocache-copy', 'rx-gro-list',
      'rx-udp-gro-forwarding',
    ],
    on: [
      'rx-checksum', 'tx-checksum-ip-generic', 'tx-scatter-gather', 'tx-tcp-segmentation', 'tx-tcp6-segmentation',
      'tx-generic-segmentation', 'rx-gro', 'highdma', 'tx-gso-robust', 'rx-gro-hw',
    ],
  },
  // ixgbe 82599 (ixgbe_probe): IP/IPv6 csum, TSO, RSC as LRO on by default,
  // ntuple and rxhash changeable [src, unsure: not run here].
  ixgbe: {
    changeable: [
      'rx-checksum', 'tx-checksum-ipv4', 'tx-checksum-ipv6', 'tx-checksum-sctp', 'tx-scatter-gather',
      'tx-tcp-segmentation', 'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation', 'tx-generic-segmentation',
      'rx-gro', 'rx-lro', 'rx-vlan-hw-parse', 'tx-vlan-hw-insert', 'rx-vlan-filter', 'rx-ntuple-filter',
      'rx-hashing', 'tx-gre-segmentation', 'tx-gre-csum-segmentation', 'tx-ipxip4-segmentation',
      'tx-ipxip6-segmentation', 'tx-udp_tnl-segmentation', 'tx-udp_tnl-csum-segmentation', 'tx-gso-partial',
      'tx-udp-segmentation', 'tx-nocache-copy', 'rx-fcs', 'rx-all', 'l2-fwd-offload', 'hw-tc-offload',
      'rx-gro-list', 'rx-udp-gro-forwarding',
    ],
    on: [
      'rx-checksum', 'tx-checksum-ipv4', 'tx-checksum-ipv6', 'tx-checksum-sctp', 'tx-scatter-gather',
      'tx-tcp-segmentation', 'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation', 'tx-generic-segmentation',
      'rx-gro', 'rx-lro', 'rx-vlan-hw-parse', 'tx-vlan-hw-insert', 'rx-vlan-filter', 'rx-hashing', 'highdma',
      'tx-gre-segmentation', 'tx-gre-csum-segmentation', 'tx-ipxip4-segmentation', 'tx-ipxip6-segmentation',
      'tx-udp_tnl-segmentation', 'tx-udp_tnl-csum-segmentation', 'tx-gso-partial', 'tx-udp-segmentation',
    ],
  },
  // mlx5e (mlx5e_build_nic_netdev): HW_CSUM, LRO and hw GRO changeable and off
  // by default, rxhash and ntuple on [src, unsure: not run here].
  mlx5: {
    changeable: [
      'rx-checksum', 'tx-checksum-ip-generic', 'tx-scatter-gather', 'tx-tcp-segmentation',
      'tx-tcp-ecn-segmentation', 'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation', 'tx-generic-segmentation',
      'rx-gro', 'rx-lro', 'rx-gro-hw', 'rx-vlan-hw-parse', 'tx-vlan-hw-insert', 'rx-vlan-filter',
      'rx-ntuple-filter', 'rx-hashing', 'tx-gre-segmentation', 'tx-gre-csum-segmentation',
      'tx-udp_tnl-segmentation', 'tx-udp_tnl-csum-segmentation', 'tx-gso-partial', 'tx-udp-segmentation',
      'tx-nocache-copy', 'rx-fcs', 'rx-all', 'hw-tc-offload', 'rx-gro-list', 'rx-udp-gro-forwarding',
    ],
    on: [
      'rx-checksum', 'tx-checksum-ip-generic', 'tx-scatter-gather', 'tx-tcp-segmentation',
      'tx-tcp-ecn-segmentation', 'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation', 'tx-generic-segmentation',
      'rx-gro', 'rx-vlan-hw-parse', 'tx-vlan-hw-insert', 'rx-vlan-filter', 'rx-ntuple-filter', 'rx-hashing',
      'highdma', 'tx-gre-segmentation', 'tx-gre-csum-segmentation', 'tx-udp_tnl-segmentation',
      'tx-udp_tnl-csum-segmentation', 'tx-gso-partial', 'tx-udp-segmentation',
    ],
  },
};

export const DEVICE_KINDS = Object.keys(PROFILES) as DeviceKind[];

export class NetdevFeatures {
  readonly hw = new Uint8Array(NETDEV_FEATURE_COUNT);
  readonly wanted = new Uint8Array(NETDEV_FEATURE_COUNT);
  readonly active = new Uint8Array(NETDEV_FEATURE_COUNT);

  constructor(readonly kind: DeviceKind) {}

  has(bit: number): boolean {
    return this.active[bit] === 1;
  }

  // Hot-path views of the features the packet path consults.
  get sg(): boolean { return this.active[NETIF_F.SG] === 1; }
  /** Some TX checksum offload (HW_CSUM or IP_CSUM) for IPv4. */
  get txCsum(): boolean { return this.active[NETIF_F.HW_CSUM] === 1 || this.active[NETIF_F.IP_CSUM] === 1; }
  get rxCsum(): boolean { return this.active[NETIF_F.RXCSUM] === 1; }
  get tso(): boolean { return this.active[NETIF_F.TSO] === 1; }
  get gso(): boolean { return this.active[NETIF_F.GSO] === 1; }
  get gro(): boolean { return this.active[NETIF_F.GRO] === 1; }
  get lro(): boolean { return this.active[NETIF_F.LRO] === 1; }
  get groHw(): boolean { return this.active[NETIF_F.GRO_HW] === 1; }
  get rxHash(): boolean { return this.active[NETIF_F.RXHASH] === 1; }

  /** Records the user's wish for `bits` (ethnl_set_features masks it with hw). */
  setWanted(bits: readonly number[], on: boolean): void {
    for (const b of bits) if (this.hw[b]) this.wanted[b] = on ? 1 : 0;
  }

  /**
   * __netdev_update_features (net/core/dev.c): active = fixed bits as they
   * were, plus wanted, then netdev_fix_features. Returns true if anything changed.
   */
  update(): boolean {
    const next = new Uint8Array(NETDEV_FEATURE_COUNT);
    for (let i = 0; i < NETDEV_FEATURE_COUNT; i++) next[i] = this.hw[i] ? this.wanted[i]! : this.active[i]!;
    netdevFixFeatures(next);
    let changed = false;
    for (let i = 0; i < NETDEV_FEATURE_COUNT; i++) {
      if (next[i] !== this.active[i]) changed = true;
      this.active[i] = next[i]!;
    }
    return changed;
  }

  clone(): NetdevFeatures {
    const c = new NetdevFeatures(this.kind);
    c.hw.set(this.hw);
    c.wanted.set(this.wanted);
    c.active.set(this.active);
    return c;
  }
}

/** A device's features as its driver registers them (register_netdevice: wanted = features & hw). */
export function createNetdevFeatures(kind: DeviceKind): NetdevFeatures {
  const p = PROFILES[kind];
  const f = new NetdevFeatures(kind);
  for (const n of p.changeable) f.hw[bitOf(n)] = 1;
  for (const n of p.on) f.active[bitOf(n)] = 1;
  for (let i = 0; i < NETDEV_FEATURE_COUNT; i++) f.wanted[i] = f.hw[i]! & f.active[i]!;
  return f;
}

function bitOf(name: string): number {
  const b = featureBit(name);
  if (b < 0) throw new Error(`unknown netdev feature ${name}`);
  return b;
}

function clear(f: Uint8Array, bits: readonly number[]): void {
  for (const b of bits) f[b] = 0;
}

/** netdev_fix_features (net/core/dev.c, 6.18): drop features whose prerequisites are off. */
export function netdevFixFeatures(f: Uint8Array): void {
  const F = NETIF_F;
  // Fix illegal checksum combinations.
  if (f[F.HW_CSUM] && (f[F.IP_CSUM] || f[F.IPV6_CSUM])) clear(f, [F.IP_CSUM, F.IPV6_CSUM]);
  // TSO requires that SG is present as well.
  if (ALL_TSO.some((b) => f[b]) && !f[F.SG]) clear(f, ALL_TSO);
  if (f[F.TSO] && !f[F.HW_CSUM] && !f[F.IP_CSUM]) clear(f, [F.TSO, F.TSO_ECN]);
  if (f[F.TSO6] && !f[F.HW_CSUM] && !f[F.IPV6_CSUM]) clear(f, [F.TSO6]);
  // TSO with IPv4 ID mangling requires IPv4 TSO be enabled.
  if (f[F.TSO_MANGLEID] && !f[F.TSO]) f[F.TSO_MANGLEID] = 0;
  // TSO ECN requires that TSO is present as well.
  if (f[F.TSO_ECN] && !f[F.TSO] && !f[F.TSO6] && !f[F.TSO_MANGLEID]) f[F.TSO_ECN] = 0;
  // UDP segmentation needs a checksum for both families [exp: `tx off` drops it on veth].
  if (f[F.GSO_UDP_L4] && !f[F.HW_CSUM] && !(f[F.IP_CSUM] && f[F.IPV6_CSUM])) f[F.GSO_UDP_L4] = 0;
  // Software GSO depends on SG.
  if (f[F.GSO] && !f[F.SG]) f[F.GSO] = 0;
  // Hardware GRO implies hardware-verified checksums.
  if (f[F.GRO_HW] && !f[F.RXCSUM]) f[F.GRO_HW] = 0;
  // LRO/HW-GRO cannot be combined with RX-FCS; HW-GRO wins over LRO.
  if (f[F.RXFCS]) clear(f, [F.LRO, F.GRO_HW]);
  if (f[F.GRO_HW] && f[F.LRO]) f[F.LRO] = 0;
}

/** dev_disable_lro (net/core/dev.c): forwarding or a bridge turns LRO off for good. */
export function devDisableLro(f: NetdevFeatures): boolean {
  f.wanted[NETIF_F.LRO] = 0;
  return f.update();
}

/** One bit of an ETHTOOL_MSG_FEATURES_SET request, by kernel feature name. */
export interface FeatureRequestBit {
  name: string;
  on: boolean;
}

/** The reply of ethnl_set_features: which requested bits missed, which bits changed. */
export interface FeaturesSetReply {
  /** Bits present in the request (by feature number). */
  reqMask: Uint8Array;
  /** Requested bits whose active value differs from the request (ETHTOOL_A_FEATURES_WANTED mask). */
  wantedDiff: Uint8Array;
  /** The requested values (ETHTOOL_A_FEATURES_WANTED value). */
  wantedVal: Uint8Array;
  /** Bits whose active value changed (ETHTOOL_A_FEATURES_ACTIVE mask). */
  activeDiff: Uint8Array;
  /** New active values. */
  activeVal: Uint8Array;
}

/**
 * ethnl_set_features (net/ethtool/features.c). Returns the index of the first
 * unknown name (the kernel rejects the whole request with "bit name not
 * found") or the reply.
 */
export function setFeaturesByName(
  f: NetdevFeatures,
  req: readonly FeatureRequestBit[],
): { unknown: number } | { reply: FeaturesSetReply } {
  const reqMask = new Uint8Array(NETDEV_FEATURE_COUNT);
  const reqWanted = new Uint8Array(NETDEV_FEATURE_COUNT);
  for (let i = 0; i < req.length; i++) {
    const b = featureBit(req[i]!.name);
    if (b < 0) return { unknown: i };
    reqMask[b] = 1;
    reqWanted[b] = req[i]!.on ? 1 : 0;
  }
  const oldActive = f.active.slice();
  for (let b = 0; b < NETDEV_FEATURE_COUNT; b++) {
    // Bits outside hw_features (the `[fixed]` ones) are ignored, not refused.
    if (reqMask[b] && f.hw[b]) f.wanted[b] = reqWanted[b]!;
  }
  f.update();
  const wantedDiff = new Uint8Array(NETDEV_FEATURE_COUNT);
  const activeDiff = new Uint8Array(NETDEV_FEATURE_COUNT);
  for (let b = 0; b < NETDEV_FEATURE_COUNT; b++) {
    wantedDiff[b] = reqMask[b]! & (reqWanted[b]! ^ f.active[b]!);
    activeDiff[b] = oldActive[b]! ^ f.active[b]!;
  }
  return { reply: { reqMask, wantedDiff, wantedVal: reqWanted, activeDiff, activeVal: f.active.slice() } };
}
