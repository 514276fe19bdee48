// Builds a World from a scenario file: YAML with positions, the zod schema,
// then every value checked and resolved into hosts, devices, routes, links,
// traffic, timed commands and expectations. Any problem is a Diagnostic at
// its file:line:column; a World is returned only when there is none.

import { LineCounter, parseDocument } from 'yaml';
import { scenarioSchema, type HostDoc, type NicDoc, type ScenarioDoc, type TrafficDoc } from './schema.js';
import { Diagnostics, reportSchemaIssues, type Diagnostic, type PathKey } from './diagnostics.js';
import { parseRate, parseSize, parseTime } from './units.js';
import { World } from '../model/world.js';
import { Host } from '../model/host.js';
import { NetDevice } from '../nic/net_device.js';
import { Link } from '../nic/link.js';
import { parseCidr, parseIpv4, prefixMask } from '../model/inet.js';
import { RT_SCOPE_HOST, RT_SCOPE_LINK, RT_TABLE_LOCAL, RT_TABLE_MAIN } from '../routing/fib.js';
import {
  RTN_BLACKHOLE, RTN_BROADCAST, RTN_LOCAL, RTN_PROHIBIT, RTN_UNICAST, RTN_UNREACHABLE,
} from '../netfilter/nf_conntrack_common.js';
import { DEFAULT_COSTS, type CostTable } from '../model/cost_table.js';
import { resetSkbIds } from '../model/skb.js';
import { resetSockInodes } from '../transport/sock.js';
import { TcpServer } from '../apps/tcp_server.js';
import { TcpClient } from '../apps/tcp_client.js';
import { UdpSink } from '../apps/udp_sink.js';
import { UdpSender } from '../apps/udp_sender.js';
import { Pktgen } from '../nic/pktgen.js';
import { IP_PMTUDISC_DO, IP_PMTUDISC_DONT, IP_PMTUDISC_PROBE, IP_PMTUDISC_WANT } from '../transport/udp.js';
import { hostExtensions } from './extensions.js';
import { devDisableLro, type NetdevFeatures } from '../nic/netdev_features.js';
import '../offloads/install.js';
import '../nic/pcap_replay.js';
import '../apps/ping_traffic.js';
import '../tools/netfilter.js';

export interface TimedCommand {
  t: number;
  host: string;
  command: string;
}

export interface Expectation {
  host: string;
  counter: string;
  equals?: number;
  min?: number;
  max?: number;
  /** Where the expectation is written, for its failure message. */
  where: string;
}

export interface CompiledScenario {
  name: string;
  description: string;
  seed: number;
  durationNs: number;
  world: World;
  commands: TimedCommand[];
  expectations: Expectation[];
  pktgens: Pktgen[];
  notes: Record<string, string>;
  doc: ScenarioDoc;
}

export type CompileResult = { ok: true; scenario: CompiledScenario } | { ok: false; errors: Diagnostic[] };

export interface CompileOptions {
  seed?: number;
  /** Reads a file a scenario names (iptables_file, pcap); the CLI supplies fs, the browser a map. */
  readFile?: (path: string) => string | Uint8Array | null;
}

const MIN_MTU = 68;
const MAX_MTU = 65535;
const DEFAULT_RATE = 10e9;
const DEFAULT_DELAY_NS = 1000;

/** Parses, validates and builds a scenario. Pure: no file or clock access. */
export function compileScenario(text: string, file: string, opts: CompileOptions = {}): CompileResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const diags = new Diagnostics(file, doc, lines);
  for (const e of doc.errors) diags.atOffset(e.pos[0], '', e.message.split('\n')[0]!);
  if (!diags.ok) return { ok: false, errors: diags.list };
  const raw = doc.toJS() as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    diags.atOffset(0, '', 'a scenario is a mapping with at least `name` and `hosts`');
    return { ok: false, errors: diags.list };
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    reportSchemaIssues(diags, parsed.error.issues, raw);
    return { ok: false, errors: diags.list };
  }
  const sc = parsed.data;
  resetSkbIds();
  resetSockInodes();
  const built = new Builder(sc, diags, opts).build();
  if (!diags.ok || !built) return { ok: false, errors: diags.list };
  return { ok: true, scenario: built };
}

class Builder {
  private readonly world: World;
  private readonly commands: TimedCommand[] = [];
  private readonly expectations: Expectation[] = [];
  private readonly pktgens: Pktgen[] = [];
  private durationNs = 0;

  constructor(private readonly sc: ScenarioDoc, private readonly d: Diagnostics, private readonly opts: CompileOptions) {
    this.world = new World(opts.seed ?? sc.seed ?? 1);
  }

  build(): CompiledScenario | null {
    const sc = this.sc;
    if (sc.seed !== undefined && (!Number.isInteger(sc.seed) || sc.seed < 0)) this.d.at(['seed'], `must be a non-negative integer (got ${sc.seed})`);
    this.durationNs = sc.duration !== undefined ? this.time(['duration'], sc.duration) : 1_000_000_000;
    const globalCosts = this.costs(['costs'], sc.costs);
    const hostNames = Object.keys(sc.hosts);
    if (hostNames.length === 0) this.d.at(['hosts'], 'at least one host is needed');
    hostNames.forEach((name, i) => this.buildHost(name, i, sc.hosts[name]!, globalCosts));
    (sc.links ?? []).forEach((l, i) => this.buildLink(i, l));
    for (const [name, h] of Object.entries(sc.hosts)) this.buildRoutes(name, h);
    for (const [name, h] of Object.entries(sc.hosts)) this.buildSysctlsAndApps(name, h);
    (sc.traffic ?? []).forEach((t, i) => this.buildTraffic(i, t));
    this.buildCommands();
    this.buildExpectations();
    if (!this.d.ok) return null;
    return {
      name: sc.name, description: sc.description ?? '', seed: this.world.seed, durationNs: this.durationNs,
      world: this.world, commands: this.commands, expectations: this.expectations, pktgens: this.pktgens,
      notes: sc.notes ?? {}, doc: sc,
    };
  }

  private time(path: PathKey[], text: string): number {
    const t = parseTime(text);
    if (t === null) {
      this.d.at(path, `"${text}" is not a time (use e.g. 500ms, 2s, 10us, 750ns)`);
      return 0;
    }
    return t;
  }

  private costs(path: PathKey[], c: Record<string, number> | undefined): Partial<CostTable> {
    const out: Partial<CostTable> = {};
    for (const [k, v] of Object.entries(c ?? {})) {
      if (!(k in DEFAULT_COSTS)) this.d.at([...path, k], `unknown cost "${k}" (known: ${Object.keys(DEFAULT_COSTS).join(', ')})`, true);
      else if (!(v >= 0)) this.d.at([...path, k], `must be a non-negative number of nanoseconds (got ${v})`);
      else (out as Record<string, number>)[k] = v;
    }
    return out;
  }

  private int(path: PathKey[], v: number | undefined, def: number, min: number, max: number, what: string): number {
    if (v === undefined) return def;
    if (!Number.isInteger(v)) this.d.at(path, `${what} must be an integer (got ${v})`);
    else if (v < min) this.d.at(path, `${what} must be at least ${min} (got ${v})`);
    else if (v > max) this.d.at(path, `${what} must be at most ${max} (got ${v})`);
    else return v;
    return def;
  }

  private buildHost(name: string, index: number, h: HostDoc, globalCosts: Partial<CostTable>): void {
    const p: PathKey[] = ['hosts', name];
    if (!/^[a-zA-Z][\w-]*$/.test(name)) this.d.at(p, `host names are letters, digits, - and _ (got "${name}")`, true);
    const cpus = this.int([...p, 'cpus'], h.cpus, 1, 1, 256, 'cpus');
    const host = new Host(this.world, name, { cpus, costs: { ...globalCosts, ...this.costs([...p, 'costs'], h.costs) } });
    this.world.hosts.set(name, host);
    const lo = new NetDevice(host, 1, 'lo', 0, 65536, 'loopback', 1, 1, 1, [0], 64);
    lo.addrs.push({ addr: 0x7f000001, prefixLen: 8, broadcast: 0 });
    host.addDevice(lo);
    host.fib.add(route(0x7f000000, 8, RTN_LOCAL, lo, 0, 0x7f000001, RT_TABLE_LOCAL, RT_SCOPE_HOST));
    let ifindex = 2;
    for (const [dev, nic] of Object.entries(h.nics ?? {})) this.buildNic(host, index, ifindex++, dev, nic, [...p, 'nics', dev]);
  }

  private buildNic(host: Host, hostIndex: number, ifindex: number, name: string, nic: NicDoc, p: PathKey[]): void {
    if (!/^[a-zA-Z][\w.-]{0,14}$/.test(name)) this.d.at(p, `"${name}" is not a valid interface name`, true);
    const mtu = this.int([...p, 'mtu'], nic.mtu, 1500, MIN_MTU, MAX_MTU, 'mtu');
    const cpus = host.cpus.length;
    const queues = this.int([...p, 'queues'], nic.queues, 1, 1, 64, 'queues');
    const rxRing = this.int([...p, 'rx_ring'], nic.rx_ring, 256, 1, 8192, 'rx_ring');
    const txRing = this.int([...p, 'tx_ring'], nic.tx_ring, 256, 1, 8192, 'tx_ring');
    const kind = nic.kind ?? (nic.driver === 'veth' ? 'veth' : 'physical');
    const irqCpus = Array.from({ length: queues }, (_, q) => q % cpus);
    const mac = 0x020000000000 + hostIndex * 0x10000 + ifindex;
    const dev = new NetDevice(host, ifindex, name, mac, mtu, kind, queues, rxRing, txRing, irqCpus, host.sysctl.get('net.core.dev_weight'));
    dev.txqueuelen = this.int([...p, 'txqueuelen'], nic.txqueuelen, 1000, 0, 1 << 24, 'txqueuelen');
    dev.rxUsecs = this.int([...p, 'rx_usecs'], nic.rx_usecs, 0, 0, 100000, 'rx_usecs');
    dev.rxFrames = this.int([...p, 'rx_frames'], nic.rx_frames, 1, 1, 8192, 'rx_frames');
    dev.rpFilter = this.int([...p, 'rp_filter'], nic.rp_filter, 0, 0, 2, 'rp_filter');
    if (nic.rps === true) dev.rpsCpus = Array.from({ length: cpus }, (_, i) => i);
    else if (Array.isArray(nic.rps)) {
      nic.rps.forEach((c, i) => {
        if (!Number.isInteger(c) || c < 0 || c >= cpus) this.d.at([...p, 'rps', i], `CPU ${c} does not exist (the host has ${cpus})`);
      });
      dev.rpsCpus = [...nic.rps];
    }
    const addrs = nic.addr === undefined ? [] : Array.isArray(nic.addr) ? nic.addr : [nic.addr];
    addrs.forEach((a, i) => {
      const ap = Array.isArray(nic.addr) ? [...p, 'addr', i] : [...p, 'addr'];
      const c = parseCidr(a);
      if (!c || !a.includes('/')) {
        const prefix = /\/(\d+)$/.exec(a);
        this.d.at(ap, prefix && Number(prefix[1]) > 32 ? `prefix length ${prefix[1]} is above 32` : `"${a}" is not an IPv4 address with a prefix (e.g. 192.168.1.2/24)`);
        return;
      }
      const mask = prefixMask(c.len);
      dev.addrs.push({ addr: c.addr, prefixLen: c.len, broadcast: ((c.addr & mask) | ~mask) >>> 0 });
    });
    host.addDevice(dev);
    hostExtensions.configureDevice?.(host, dev, nic, (path, msg) => this.d.at([...p, ...path], msg));
  }

  private dev(path: PathKey[], ref: string): NetDevice | null {
    const m = /^([^:]+):(.+)$/.exec(ref);
    if (!m) {
      this.d.at(path, `"${ref}" is not HOST:DEVICE`);
      return null;
    }
    const host = this.world.hosts.get(m[1]!);
    if (!host) {
      this.d.at(path, `unknown host "${m[1]}"`);
      return null;
    }
    const dev = host.devByName.get(m[2]!);
    if (!dev || dev.kind === 'loopback') {
      this.d.at(path, `host ${m[1]} has no device "${m[2]}"`);
      return null;
    }
    return dev;
  }

  private buildLink(i: number, l: NonNullable<ScenarioDoc['links']>[number]): void {
    const p: PathKey[] = ['links', i];
    const a = this.dev([...p, 'a'], l.a);
    const b = this.dev([...p, 'b'], l.b);
    let rate = DEFAULT_RATE;
    if (l.rate !== undefined) {
      const r = parseRate(l.rate);
      if (r === null || !(r > 0)) this.d.at([...p, 'rate'], `"${l.rate}" is not a positive rate (use e.g. 10Gbit, 100Mbit)`);
      else rate = r;
    }
    const delay = l.delay !== undefined ? this.time([...p, 'delay'], l.delay) : DEFAULT_DELAY_NS;
    const jitter = l.jitter !== undefined ? this.time([...p, 'jitter'], l.jitter) : 0;
    const mtu = this.int([...p, 'mtu'], l.mtu, MAX_MTU, MIN_MTU, MAX_MTU, 'mtu');
    if (l.loss !== undefined && !(l.loss >= 0 && l.loss <= 1)) this.d.at([...p, 'loss'], `loss is a probability between 0 and 1 (got ${l.loss})`);
    const down: number[] = [];
    (l.down ?? []).forEach((w, k) => {
      if (w.length !== 2) {
        this.d.at([...p, 'down', k], `an outage is a [from, to] pair of times (got ${w.length} values)`);
        return;
      }
      const from = this.time([...p, 'down', k, 0], w[0]!);
      const to = this.time([...p, 'down', k, 1], w[1]!);
      if (to <= from) this.d.at([...p, 'down', k, 1], `an outage must end after it starts (${w[1]} ≤ ${w[0]})`);
      else down.push(from, to);
    });
    if (!a || !b) return;
    if (a.link || b.link) {
      this.d.at(p, `${a.link ? l.a : l.b} is already cabled to another link`);
      return;
    }
    const link = new Link(a, b, rate, delay, mtu, l.loss ?? 0, this.world.streams.get(`link:${l.a}-${l.b}`), jitter);
    link.down = down;
    this.world.links.push(link);
  }

  private buildRoutes(name: string, h: HostDoc): void {
    const host = this.world.hosts.get(name)!;
    for (const dev of host.devices) {
      if (!dev || dev.kind === 'loopback') continue;
      for (const a of dev.addrs) {
        const net = (a.addr & prefixMask(a.prefixLen)) >>> 0;
        host.fib.add(route(a.addr, 32, RTN_LOCAL, dev, 0, a.addr, RT_TABLE_LOCAL, RT_SCOPE_HOST));
        if (a.prefixLen < 31) host.fib.add(route(a.broadcast, 32, RTN_BROADCAST, dev, 0, a.addr, RT_TABLE_LOCAL, RT_SCOPE_LINK));
        host.fib.add(route(net, a.prefixLen, RTN_UNICAST, dev, 0, a.addr, RT_TABLE_MAIN, RT_SCOPE_LINK));
      }
    }
    (h.routes ?? []).forEach((r, i) => {
      const p: PathKey[] = ['hosts', name, 'routes', i];
      const dst = r.to === 'default' ? { addr: 0, len: 0 } : parseCidr(r.to);
      if (!dst) return this.d.at([...p, 'to'], `"${r.to}" is not a prefix (e.g. 10.0.0.0/8 or default)`);
      const type = { unicast: RTN_UNICAST, blackhole: RTN_BLACKHOLE, unreachable: RTN_UNREACHABLE, prohibit: RTN_PROHIBIT }[r.type ?? 'unicast'];
      let gw = 0;
      if (r.via !== undefined) {
        const g = parseIpv4(r.via);
        if (g === null) return this.d.at([...p, 'via'], `"${r.via}" is not an IPv4 address`);
        gw = g;
      }
      let dev: NetDevice | null = null;
      if (r.dev !== undefined) {
        dev = host.devByName.get(r.dev) ?? null;
        if (!dev) return this.d.at([...p, 'dev'], `host ${name} has no device "${r.dev}"`);
      } else if (gw) {
        const via = host.fib.lookup(gw);
        if (!via || via.type !== RTN_UNICAST || via.gw !== 0) return this.d.at([...p, 'via'], `gateway ${r.via} is not on a directly connected network`);
        dev = via.dev;
      } else if (type === RTN_UNICAST) {
        return this.d.at(p, 'a unicast route needs `via` or `dev`');
      }
      const mtu = r.mtu === undefined ? 0 : this.int([...p, 'mtu'], r.mtu, 0, MIN_MTU, MAX_MTU, 'mtu');
      host.fib.add({ ...route((dst.addr & prefixMask(dst.len)) >>> 0, dst.len, type!, dev, gw, 0, RT_TABLE_MAIN, 0), metric: r.metric ?? 0, proto: 'static', mtu });
    });
  }

  private buildSysctlsAndApps(name: string, h: HostDoc): void {
    const host = this.world.hosts.get(name)!;
    const p: PathKey[] = ['hosts', name];
    hostExtensions.beforeSysctls?.(host, h, (path, msg) => this.d.at([...p, ...path], msg));
    for (const [k, v] of Object.entries(h.sysctl ?? {})) {
      const err = host.sysctl.set(k, Array.isArray(v) && v.length === 1 ? v[0]! : v, true);
      if (err) this.d.at([...p, 'sysctl', k], err.replace(/^sysctl: /, ''), true);
    }
    if (h.forwarding !== undefined) host.sysctl.set('net.ipv4.ip_forward', h.forwarding ? 1 : 0);
    applyForwarding(host);
    hostExtensions.configureHost?.(host, h, this.opts, (path, msg, onKey) => this.d.at([...p, ...path], msg, onKey));
    (h.listen ?? []).forEach((l, i) => {
      const lp: PathKey[] = [...p, 'listen', i];
      const spec = typeof l === 'string' ? parseListen(l) : l;
      if (!spec) return this.d.at(lp, `"${String(l)}" is not PROTO:PORT (e.g. tcp:443, udp:5000)`);
      if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) return this.d.at(lp, `port must be 1-65535 (got ${spec.port})`);
      const addr = spec.addr ? parseIpv4(spec.addr) : 0;
      if (addr === null) return this.d.at([...lp, 'addr'], `"${spec.addr}" is not an IPv4 address`);
      const cpu = this.int([...lp, 'cpu'], spec.cpu, host.cpus.length - 1, 0, host.cpus.length - 1, 'cpu');
      const rcvbuf = spec.rcvbuf === undefined ? 0 : parseSize(spec.rcvbuf);
      if (rcvbuf === null) return this.d.at([...lp, 'rcvbuf'], `"${spec.rcvbuf}" is not a size`);
      const work = spec.work !== undefined ? this.time([...lp, 'work'], spec.work) : 0;
      if (spec.proto === 'tcp') {
        let rate = 0;
        if (spec.read_rate !== undefined) {
          const r = parseRate(spec.read_rate.replace(/B(\/s)?$/, 'bit'));
          if (r === null) return this.d.at([...lp, 'read_rate'], `"${spec.read_rate}" is not a rate in bytes per second (e.g. 1MB)`);
          rate = parseSize(spec.read_rate.replace(/\/s$/, '')) ?? 0;
        }
        new TcpServer(host, cpu, addr, spec.port, spec.backlog ?? 4096, rate, rcvbuf);
      } else {
        new UdpSink(host, cpu, addr, spec.port, rcvbuf || host.sysctl.get('net.core.rmem_default'), work);
      }
    });
  }

  private buildTraffic(i: number, t: TrafficDoc): void {
    const p: PathKey[] = ['traffic', i];
    const at = t.at !== undefined ? this.time([...p, 'at'], t.at) : 0;
    if (t.kind === 'pktgen') return this.buildPktgen(p, t, at);
    if (t.tcp_flags !== undefined) return this.d.at([...p, 'tcp_flags'], '`tcp_flags` applies to pktgen traffic only');
    if (t.kind === 'ping' || t.kind === 'pcap') {
      if (hostExtensions.traffic?.(this.world, t, at, this.opts, (path, msg) => this.d.at([...p, ...path], msg))) return;
      return this.d.at([...p, 'kind'], `traffic kind "${t.kind}" is not available in this build`);
    }
    if (t.from === undefined) return this.d.at(p, `${t.kind} traffic needs \`from\` (the sending host)`);
    const host = this.world.hosts.get(t.from);
    if (!host) return this.d.at([...p, 'from'], `unknown host "${t.from}"`);
    const dst = this.endpoint([...p, 'to'], t.to);
    if (!dst) return;
    const cpu = this.int([...p, 'cpu'], t.cpu, host.cpus.length - 1, 0, host.cpus.length - 1, 'cpu');
    if (t.kind === 'tcp') {
      const bytes = t.bytes === undefined ? 0 : parseSize(t.bytes);
      if (bytes === null) return this.d.at([...p, 'bytes'], `"${t.bytes}" is not a size (e.g. 10kB, 1MiB)`);
      const conns = this.int([...p, 'connections'], t.connections, 1, 1, 1_000_000, 'connections');
      const gap = t.interval !== undefined ? this.time([...p, 'interval'], t.interval) : 0;
      for (let c = 0; c < conns; c++) new TcpClient(host, cpu, dst.addr, dst.port, bytes, at + c * gap, conns === 1 ? t.sport ?? 0 : 0);
      return;
    }
    const size = t.size === undefined ? 1000 : parseSize(t.size);
    if (size === null || size > 65507) return this.d.at([...p, 'size'], `"${t.size}" is not a datagram size up to 65507 bytes`);
    const count = this.int([...p, 'count'], t.count, 1, 1, 1e9, 'count');
    const interval = this.interval(p, t, size);
    const pmtu = { dont: IP_PMTUDISC_DONT, want: IP_PMTUDISC_WANT, do: IP_PMTUDISC_DO, probe: IP_PMTUDISC_PROBE }[t.pmtudisc ?? 'want'];
    new UdpSender(host, cpu, dst.addr, dst.port, size, count, interval, at, t.sport ?? 0, pmtu);
  }

  private interval(p: PathKey[], t: TrafficDoc, size: number): number {
    if (t.interval !== undefined) return this.time([...p, 'interval'], t.interval);
    if (t.pps !== undefined) {
      if (!(t.pps > 0)) this.d.at([...p, 'pps'], `pps must be positive (got ${t.pps})`);
      return Math.max(1, Math.round(1e9 / t.pps));
    }
    if (t.rate !== undefined) {
      const r = parseRate(t.rate);
      if (r === null || !(r > 0)) {
        this.d.at([...p, 'rate'], `"${t.rate}" is not a positive rate`);
        return 0;
      }
      return Math.max(1, Math.round(((size + 42) * 8 * 1e9) / r));
    }
    return 0;
  }

  private endpoint(path: PathKey[], to: string | undefined): { addr: number; port: number } | null {
    if (to === undefined) {
      this.d.at(path.slice(0, -1), 'missing required key "to" (ADDRESS:PORT)');
      return null;
    }
    const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(to);
    const addr = m ? parseIpv4(m[1]!) : null;
    const port = m ? Number(m[2]) : -1;
    if (addr === null || port < 1 || port > 65535) {
      this.d.at(path, `"${to}" is not ADDRESS:PORT (e.g. 192.168.1.2:443)`);
      return null;
    }
    return { addr, port };
  }

  private buildPktgen(p: PathKey[], t: TrafficDoc, at: number): void {
    if (t.inject === undefined) return this.d.at(p, 'pktgen traffic needs `inject: HOST:DEVICE`');
    const dev = this.dev([...p, 'inject'], t.inject);
    const dst = this.endpoint([...p, 'to'], t.to);
    const src = t.src !== undefined ? parseIpv4(t.src) : 0x0a000001;
    if (src === null) this.d.at([...p, 'src'], `"${t.src}" is not an IPv4 address`);
    const tcpFlags = t.tcp_flags === undefined ? 0 : parseTcpFlags(t.tcp_flags);
    if (tcpFlags === null) return this.d.at([...p, 'tcp_flags'], `"${t.tcp_flags}" is not a set of TCP flags (letters of FSRPAUEC, e.g. S for a SYN flood)`);
    const size = t.size === undefined ? (tcpFlags ? 0 : 18) : parseSize(t.size);
    if (size === null || size > 65507) return this.d.at([...p, 'size'], `"${t.size}" is not a datagram size`);
    const count = this.int([...p, 'count'], t.count, 1, 1, 1e9, 'count');
    const flows = this.int([...p, 'flows'], t.flows, 1, 1, 65535, 'flows');
    let interval = this.interval(p, t, size);
    if (!dev || !dst || src === null) return;
    if (interval === 0) interval = dev.link ? dev.link.wireTimeNs(size + 42) : 67;
    const g = new Pktgen(dev, src, dst.addr, t.sport ?? 10000, dst.port, size, count, interval, flows, 0x02ffff000000 + this.pktgens.length, tcpFlags);
    this.pktgens.push(g);
    g.start(this.world.sim, at);
  }

  private buildCommands(): void {
    const hosts = [...this.world.hosts.values()];
    const listening = this.sc.hosts ? Object.entries(this.sc.hosts).find(([, h]) => (h.listen ?? []).length > 0)?.[0] : undefined;
    const defaultHost = listening ?? hosts[0]?.name ?? '';
    for (const [when, cmds] of Object.entries(this.sc.at ?? {})) {
      const t = when === 'end' ? Infinity : this.time(['at', when], when);
      cmds.forEach((c, i) => {
        const m = /^([a-zA-Z][\w-]*):\s+(.*)$/.exec(c);
        if (m && this.world.hosts.has(m[1]!)) this.commands.push({ t, host: m[1]!, command: m[2]! });
        else if (c.trim() === '') this.d.at(['at', when, i], 'empty command');
        else this.commands.push({ t, host: defaultHost, command: c });
      });
    }
    this.commands.sort((a, b) => a.t - b.t);
  }

  private buildExpectations(): void {
    (this.sc.expect ?? []).forEach((e, i) => {
      const p: PathKey[] = ['expect', i];
      if (!this.world.hosts.has(e.host)) this.d.at([...p, 'host'], `unknown host "${e.host}"`);
      if (e.equals === undefined && e.min === undefined && e.max === undefined) this.d.at(p, 'an expectation needs `equals`, `min` or `max`');
      this.expectations.push({ ...e, where: `expect[${i}]` });
    });
  }
}

/** TCP flags as tcpdump prints them (S, SA, FA, R...): F S R P A U E C, each once. */
function parseTcpFlags(text: string): number | null {
  const letters = 'FSRPAUEC';
  let flags = 0;
  for (const ch of text.trim()) {
    const bit = letters.indexOf(ch.toUpperCase());
    if (bit < 0 || flags & (1 << bit)) return null;
    flags |= 1 << bit;
  }
  return flags === 0 ? null : flags;
}

function parseListen(s: string): { proto: 'tcp' | 'udp'; port: number; addr?: string; backlog?: number; rcvbuf?: string | number; read_rate?: string; work?: string; cpu?: number } | null {
  const m = /^(tcp|udp):(\d+)$/.exec(s.trim());
  return m ? { proto: m[1] as 'tcp' | 'udp', port: Number(m[2]) } : null;
}

function route(dst: number, len: number, type: number, dev: NetDevice | null, gw: number, prefsrc: number, table: number, scope: number) {
  return { dst, len, type, dev, gw, prefsrc, metric: 0, table, proto: 'kernel' as const, scope, mtu: 0 };
}

/** net.ipv4.ip_forward sets every device's conf/<dev>/forwarding and disables LRO (devinet.c inet_forward_change). */
export function applyForwarding(host: Host): void {
  const on = host.sysctl.get('net.ipv4.ip_forward') === 1;
  host.snmp.v[0] = on ? 1 : 2;
  for (const dev of host.devices) {
    if (!dev) continue;
    dev.forwarding = on;
    // dev_disable_lro: an LRO-merged skb cannot be forwarded, so forwarding turns LRO off.
    if (on && dev.features) devDisableLro(dev.features as NetdevFeatures);
  }
}
