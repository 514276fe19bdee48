// `ethtool -k DEV` and `ethtool -K DEV feature on|off ...` as ethtool 6.1 does
// them over netlink (ethtool netlink/features.c: nl_gfeatures, nl_sfeatures),
// against a simulated device's NetdevFeatures (src/nic/netdev_features.ts,
// which plays the kernel's ethnl_set_features).
//
// API:
//   runEthtoolFeatures(argv, devices) → { stdout, stderr, exitCode }
//     argv     the arguments after `ethtool`, e.g. ['-K', 'eth0', 'tso', 'off']
//     devices  anything with get(name) → NetdevFeatures | undefined (a Map works)
//   isEthtoolFeaturesCommand(argv)  true when argv[0] is one of the -k/-K spellings
//
// Output, messages and exit codes were captured from ethtool 6.1 on Linux 6.18
// against a veth (test/tools/fixtures/ethtool/veth_sessions.json), including
// the netlink error offsets, which depend on the request's byte layout.

import { NETDEV_FEATURE_COUNT, NETDEV_FEATURE_NAMES, featureBit, setFeaturesByName, type FeatureRequestBit, type NetdevFeatures } from '../nic/netdev_features.js';

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface DeviceLookup {
  get(name: string): NetdevFeatures | undefined;
}

/** ethtool's legacy offload flags (common.c off_flag_def): short name, long name, kernel-name pattern. */
const OFF_FLAG_DEF: ReadonlyArray<{ short: string; long: string; pattern: string; ufo?: true }> = [
  { short: 'rx', long: 'rx-checksumming', pattern: 'rx-checksum' },
  { short: 'tx', long: 'tx-checksumming', pattern: 'tx-checksum-*' },
  { short: 'sg', long: 'scatter-gather', pattern: 'tx-scatter-gather*' },
  { short: 'tso', long: 'tcp-segmentation-offload', pattern: 'tx-tcp*-segmentation' },
  // No kernel with the netlink interface supports UFO; -k skips it.
  { short: 'ufo', long: 'udp-fragmentation-offload', pattern: 'tx-udp-fragmentation', ufo: true },
  { short: 'gso', long: 'generic-segmentation-offload', pattern: 'tx-generic-segmentation' },
  { short: 'gro', long: 'generic-receive-offload', pattern: 'rx-gro' },
  { short: 'lro', long: 'large-receive-offload', pattern: 'rx-lro' },
  { short: 'rxvlan', long: 'rx-vlan-offload', pattern: 'rx-vlan-hw-parse' },
  { short: 'txvlan', long: 'tx-vlan-offload', pattern: 'tx-vlan-hw-insert' },
  { short: 'ntuple', long: 'ntuple-filters', pattern: 'rx-ntuple-filter' },
  { short: 'rxhash', long: 'receive-hashing', pattern: 'rx-hashing' },
];

const SHOW = new Set(['-k', '--show-features', '--show-offload']);
const SET = new Set(['-K', '--features', '--offload']);

const BAD_ARGS = 'ethtool: bad command line argument(s)\nFor more information run ethtool -h\n';
const NO_DEVICE = 'netlink error: no device matches name (offset 24)\nnetlink error: No such device\n';

/** netlink's flag_pattern_match: a pattern holds at most one `*`. */
function flagPatternMatch(name: string, pattern: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return name === pattern;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return name.length + 1 >= pattern.length && name.startsWith(prefix) && name.endsWith(suffix);
}

/** For each feature bit, the index of the legacy flag it belongs to, or -1. */
const LEGACY_OF_BIT: readonly number[] = NETDEV_FEATURE_NAMES.map((n) =>
  OFF_FLAG_DEF.findIndex((d) => flagPatternMatch(n, d.pattern)),
);

export function isEthtoolFeaturesCommand(argv: readonly string[]): boolean {
  return argv.length > 0 && (SHOW.has(argv[0]!) || SET.has(argv[0]!));
}

export function runEthtoolFeatures(argv: readonly string[], devices: DeviceLookup): ToolResult {
  const cmd = argv[0] ?? '';
  const devname = argv[1];
  if (!isEthtoolFeaturesCommand(argv) || devname === undefined) return { stdout: '', stderr: BAD_ARGS, exitCode: 1 };
  return SHOW.has(cmd) ? showFeatures(devname, argv.slice(2), devices) : setFeatures(devname, argv.slice(2), devices);
}

/** nl_gfeatures + dump_features. */
function showFeatures(devname: string, rest: readonly string[], devices: DeviceLookup): ToolResult {
  if (rest.length > 0) return { stdout: '', stderr: `ethtool: unexpected parameter '${rest[0]}'\n`, exitCode: 1 };
  const f = devices.get(devname);
  if (!f) return { stdout: '', stderr: NO_DEVICE, exitCode: 1 };
  return { stdout: `Features for ${devname}:\n${formatFeatures(f)}`, stderr: '', exitCode: 0 };
}

function featureLine(f: NetdevFeatures, bit: number, name: string, prefix: string): string {
  const on = f.active[bit] === 1;
  let suffix = '';
  if (!f.hw[bit]) suffix = ' [fixed]';
  else if (f.active[bit] !== f.wanted[bit]) suffix = f.wanted[bit] ? ' [requested on]' : ' [requested off]';
  return `${prefix}${name}: ${on ? 'on' : 'off'}${suffix}\n`;
}

/** The body of `ethtool -k`: legacy flags with their features, then the rest in bit order. */
export function formatFeatures(f: NetdevFeatures): string {
  let out = '';
  OFF_FLAG_DEF.forEach((def, flag) => {
    if (def.ufo) return;
    const bits: number[] = [];
    for (let b = 0; b < NETDEV_FEATURE_COUNT; b++) if (LEGACY_OF_BIT[b] === flag) bits.push(b);
    if (bits.length === 1) {
      out += featureLine(f, bits[0]!, def.long, '');
      return;
    }
    out += `${def.long}: ${bits.some((b) => f.active[b] === 1) ? 'on' : 'off'}\n`;
    for (const b of bits) out += featureLine(f, b, NETDEV_FEATURE_NAMES[b]!, '\t');
  });
  for (let b = 0; b < NETDEV_FEATURE_COUNT; b++) {
    if (LEGACY_OF_BIT[b] === -1) out += featureLine(f, b, NETDEV_FEATURE_NAMES[b]!, '');
  }
  return out;
}

const align4 = (n: number): number => (n + 3) & ~3;

/** nl_sfeatures: parse, send FEATURES_SET, print the kernel's diff (show_feature_changes). */
function setFeatures(devname: string, rest: readonly string[], devices: DeviceLookup): ToolResult {
  // fill_sfeatures_bitmap: expand legacy flags to the kernel names they cover.
  const req: FeatureRequestBit[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    if (rest[i] === '--') break;
    const val = rest[i + 1];
    if (val !== 'on' && val !== 'off') {
      const flag = val === undefined ? '(null)' : val;
      return { stdout: '', stderr: `ethtool (-K): flag '${flag}' for parameter '(null)' is not followed by 'on' or 'off'\n`, exitCode: 1 };
    }
    const on = val === 'on';
    const legacy = OFF_FLAG_DEF.findIndex((d) => d.short === rest[i] || d.long === rest[i]);
    if (legacy >= 0) {
      for (let b = 0; b < NETDEV_FEATURE_COUNT; b++) {
        if (flagPatternMatch(NETDEV_FEATURE_NAMES[b]!, OFF_FLAG_DEF[legacy]!.pattern)) req.push({ name: NETDEV_FEATURE_NAMES[b]!, on });
      }
    } else {
      req.push({ name: rest[i]!, on });
    }
  }

  const f = devices.get(devname);
  if (!f) return { stdout: '', stderr: NO_DEVICE, exitCode: 92 };
  const res = setFeaturesByName(f, req);
  if ('unknown' in res) {
    return {
      stdout: '',
      stderr: `netlink error: bit name not found (offset ${unknownBitOffset(devname, req, res.unknown)})\nnetlink error: Operation not supported\n`,
      exitCode: 92,
    };
  }

  const r = res.reply;
  let diff = false;
  let nothingChanged = true;
  for (let b = 0; b < NETDEV_FEATURE_COUNT; b++) {
    if (r.wantedDiff[b] !== r.reqMask[b]) nothingChanged = false;
    if (r.wantedDiff[b] || (r.activeDiff[b] && !r.reqMask[b])) diff = true;
  }
  let stdout = '';
  if (diff) {
    stdout = 'Actual changes:\n';
    for (let b = 0; b < NETDEV_FEATURE_COUNT; b++) {
      if (!r.wantedDiff[b] && !r.activeDiff[b]) continue;
      const name = NETDEV_FEATURE_NAMES[b]!;
      if (r.wantedDiff[b]) stdout += `${name}: ${r.wantedVal[b] ? 'off' : 'on'} [requested ${r.wantedVal[b] ? 'on' : 'off'}]\n`;
      else if (!r.reqMask[b]) stdout += `${name}: ${r.activeVal[b] ? 'on' : 'off'} [not requested]\n`;
      else stdout += `${name}: ${r.activeVal[b] ? 'on' : 'off'}\n`;
    }
  }
  if (nothingChanged) return { stdout, stderr: 'Could not change any device features\n', exitCode: 1 };
  return { stdout, stderr: '', exitCode: 0 };
}

/**
 * Byte offset of the unknown ETHTOOL_A_BITSET_BIT_NAME attribute that the
 * kernel's extack points at: nlmsghdr (16) + genlmsghdr (4), the header nest
 * with DEV_NAME and FLAGS, the WANTED and BITS nests, then one BIT nest
 * (NAME, plus a VALUE flag when on) per earlier request bit.
 */
function unknownBitOffset(devname: string, req: readonly FeatureRequestBit[], unknown: number): number {
  let off = 16 + 4 + 4 + align4(4 + devname.length + 1) + 8 + 4 + 4;
  for (let i = 0; i < unknown; i++) off += 4 + align4(4 + req[i]!.name.length + 1) + (req[i]!.on ? 4 : 0);
  return off + 4;
}

/** Kernel feature names a legacy or full name stands for (for scenario `offloads:` keys). */
export function featureNamesFor(name: string): string[] {
  const legacy = OFF_FLAG_DEF.find((d) => d.short === name || d.long === name);
  if (legacy) return NETDEV_FEATURE_NAMES.filter((n) => flagPatternMatch(n, legacy.pattern));
  return featureBit(name) >= 0 ? [name] : [];
}
