// `ss` (iproute2 6.1, misc/ss.c) on a simulated host: TCP and UDP sockets
// with -a -t -u -l -p -n -i -m -e -o -H -s, state filters and the expressions
// `sport`/`dport` OP :PORT, `src`/`dst` ADDR[/LEN][:PORT], and/or/not and
// parentheses. Rows come from host.sockets.all; the -i line mirrors
// tcp_get_info + tcp_show_info, -m the skmem line of print_skmeminfo.

import type { Host } from '../model/host.js';
import type { World } from '../model/world.js';
import { registerTool, type CommandResult } from './runner.js';
import { formatIpv4, parseIpv4 } from '../model/inet.js';
import type { Sock } from '../transport/sock.js';
import { UdpSock } from '../transport/udp.js';
import { TCP_TIMEWAIT_LEN, TcpSock } from '../transport/tcp_sock.js';
import { tcpPacingRate } from '../transport/tcp_output.js';
import { tcpDeliveryRate } from '../transport/tcp_rate.js';
import { tcpChronoStats } from '../transport/tcp_chrono.js';
import { TCP_CLOSE, TCP_ESTABLISHED, TCP_LISTEN, TCP_SYN_RECV, TCP_SYN_SENT, TCP_TIME_WAIT } from '../transport/tcp_states.js';
import { renderColumns, ssColumns } from './ss_render.js';
import { TCP_SERVICES, UDP_SERVICES } from './tcpdump/services.js';
import { cFormatG } from './cformat.js';
import { MIB } from '../model/snmp.js';
import { HZ, jiffiesCeilOf } from '../model/time.js';

/** ss's state names by TCP state number (sstate_name); 7 (CLOSE) is UNCONN. */
const SSTATE = ['UNKNOWN', 'ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'UNCONN', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING'];

/** `state NAME` words (sstate_namel), as state bit masks. */
const ALL = 0xfff & ~1;
const SS_CONN = ALL & ~((1 << TCP_LISTEN) | (1 << TCP_CLOSE) | (1 << TCP_TIME_WAIT) | (1 << TCP_SYN_RECV));
const STATE_WORDS: Record<string, number> = {
  all: ALL, connected: SS_CONN, synchronized: SS_CONN & ~(1 << 2), bucket: (1 << TCP_SYN_RECV) | (1 << TCP_TIME_WAIT),
  big: ALL & ~((1 << TCP_SYN_RECV) | (1 << TCP_TIME_WAIT)),
  established: 1 << 1, 'syn-sent': 1 << 2, 'syn-recv': 1 << 3, 'fin-wait-1': 1 << 4, 'fin-wait-2': 1 << 5,
  'time-wait': 1 << 6, closed: 1 << 7, 'close-wait': 1 << 8, 'last-ack': 1 << 9, listening: 1 << 10, closing: 1 << 11,
};

interface SsOpts {
  all: boolean; listening: boolean; tcp: boolean; udp: boolean; processes: boolean; numeric: boolean;
  info: boolean; memory: boolean; extended: boolean; options: boolean; noHeader: boolean; summary: boolean;
  states: number | null; expr: Expr | null;
}

type Expr =
  | { op: 'and' | 'or'; a: Expr; b: Expr }
  | { op: 'not'; a: Expr }
  | { op: 'port'; which: 'sport' | 'dport'; cmp: string; port: number }
  | { op: 'addr'; which: 'src' | 'dst'; addr: number; plen: number; port: number | null };

const USAGE = 'Usage: ss [ OPTIONS ]\n       ss [ OPTIONS ] [ FILTER ]\n';

function fail(msg: string, code = 1): CommandResult {
  return { stdout: '', stderr: msg, exitCode: code };
}

/** A parse failure, reported as ss reports a bad filter. */
class FilterError extends Error {}

function parseExpr(words: string[]): Expr {
  let i = 0;
  const peek = () => words[i];
  const orExpr = (): Expr => {
    let a = andExpr();
    while (peek() === 'or' || peek() === '||' || peek() === '|') {
      i++;
      a = { op: 'or', a, b: andExpr() };
    }
    return a;
  };
  const andExpr = (): Expr => {
    let a = unary();
    while (i < words.length && peek() !== ')' && peek() !== 'or' && peek() !== '||' && peek() !== '|') {
      if (peek() === 'and' || peek() === '&&' || peek() === '&') i++;
      a = { op: 'and', a, b: unary() };
    }
    return a;
  };
  const unary = (): Expr => {
    const w = words[i++];
    if (w === undefined) throw new FilterError('unexpected end of filter');
    if (w === 'not' || w === '!') return { op: 'not', a: unary() };
    if (w === '(') {
      const e = orExpr();
      if (words[i++] !== ')') throw new FilterError('missing )');
      return e;
    }
    if (w === 'sport' || w === 'dport') {
      let cmp = words[i++] ?? '';
      const norm: Record<string, string> = { '=': '==', '==': '==', eq: '==', '!=': '!=', ne: '!=', neq: '!=', '>': '>', gt: '>', '<': '<', lt: '<', '>=': '>=', ge: '>=', geq: '>=', '<=': '<=', le: '<=', leq: '<=' };
      let portWord: string | undefined;
      if (norm[cmp] === undefined) {
        portWord = cmp;
        cmp = '==';
      } else {
        cmp = norm[cmp]!;
        portWord = words[i++];
      }
      const p = parsePort(portWord);
      if (p === null) throw new FilterError(`"${portWord ?? ''}" is not a port`);
      return { op: 'port', which: w, cmp, port: p };
    }
    if (w === 'src' || w === 'dst') {
      let a = words[i++];
      if (a === '=' || a === '==' || a === 'eq') a = words[i++];
      const m = a === undefined ? null : /^([0-9.]+|\*)(?:\/(\d+))?(?::(\S+))?$/.exec(a);
      const addr = m ? (m[1] === '*' ? 0 : parseIpv4(m[1]!)) : null;
      if (!m || addr === null) throw new FilterError(`"${a ?? ''}" is not an address`);
      const plen = m[1] === '*' ? 0 : m[2] !== undefined ? Number(m[2]) : 32;
      const port = m[3] !== undefined ? parsePort(`:${m[3]}`) : null;
      return { op: 'addr', which: w, addr, plen, port };
    }
    throw new FilterError(`"${w}" is not a filter`);
  };
  const e = orExpr();
  if (i < words.length) throw new FilterError(`unexpected "${words[i]}"`);
  return e;
}

function parsePort(w: string | undefined): number | null {
  if (w === undefined) return null;
  const s = w.startsWith(':') ? w.slice(1) : w;
  if (/^\d+$/.test(s) && Number(s) <= 65535) return Number(s);
  for (const [p, name] of [...TCP_SERVICES, ...UDP_SERVICES]) if (name === s) return p;
  return null;
}

function matchExpr(e: Expr, sk: Sock): boolean {
  switch (e.op) {
    case 'and': return matchExpr(e.a, sk) && matchExpr(e.b, sk);
    case 'or': return matchExpr(e.a, sk) || matchExpr(e.b, sk);
    case 'not': return !matchExpr(e.a, sk);
    case 'port': {
      const v = e.which === 'sport' ? sk.sport : sk.dport;
      switch (e.cmp) {
        case '==': return v === e.port;
        case '!=': return v !== e.port;
        case '>': return v > e.port;
        case '<': return v < e.port;
        case '>=': return v >= e.port;
        default: return v <= e.port;
      }
    }
    case 'addr': {
      const a = e.which === 'src' ? sk.saddr : sk.daddr;
      const p = e.which === 'src' ? sk.sport : sk.dport;
      const mask = e.plen === 0 ? 0 : (~0 << (32 - e.plen)) >>> 0;
      return ((a & mask) >>> 0) === ((e.addr & mask) >>> 0) && (e.port === null || e.port === p);
    }
  }
}

function parse(argv: string[]): SsOpts | CommandResult {
  const o: SsOpts = {
    all: false, listening: false, tcp: false, udp: false, processes: false, numeric: false, info: false,
    memory: false, extended: false, options: false, noHeader: false, summary: false, states: null, expr: null,
  };
  const long: Record<string, string> = {
    '--all': 'a', '--listening': 'l', '--tcp': 't', '--udp': 'u', '--processes': 'p', '--numeric': 'n', '--info': 'i',
    '--memory': 'm', '--extended': 'e', '--options': 'o', '--no-header': 'H', '--ipv4': '4',
    '--summary': 's',
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-') || a === '-') break;
    const flags = a.startsWith('--') ? long[a] : a.slice(1);
    if (flags === undefined) return fail(`ss: unrecognized option '${a}'\n${USAGE}`, 255);
    for (const c of flags) {
      switch (c) {
        case 'a': o.all = true; break;
        case 'l': o.listening = true; break;
        case 't': o.tcp = true; break;
        case 'u': o.udp = true; break;
        case 'p': o.processes = true; break;
        case 'n': o.numeric = true; break;
        case 'i': o.info = true; break;
        case 'm': o.memory = true; break;
        case 'e': o.extended = true; break;
        case 'o': o.options = true; break;
        case 'H': o.noHeader = true; break;
        case 's': o.summary = true; break;
        case '4': break;
        default: return fail(`ss: invalid option -- '${c}'\n${USAGE}`, 255);
      }
    }
  }
  const rest = argv.slice(i);
  let j = 0;
  while (j < rest.length && (rest[j] === 'state' || rest[j] === 'exclude' || rest[j] === 'excl')) {
    const name = rest[j + 1];
    const bits = name === undefined ? undefined : STATE_WORDS[name];
    if (bits === undefined) return fail(`ss: wrong state name: ${name ?? ''}\n`, 255);
    if (rest[j] === 'state') o.states = (o.states ?? 0) | bits;
    else o.states = (o.states ?? (o.all ? ALL : SS_CONN)) & ~bits;
    j += 2;
  }
  const exprWords = rest.slice(j).flatMap((w) => w.split(/\s+|(?=[()])|(?<=[()])/)).filter(Boolean);
  if (exprWords.length > 0) {
    try {
      o.expr = parseExpr(exprWords);
    } catch (e) {
      if (e instanceof FilterError) return fail(`ss: bad filter: ${e.message}\n`, 255);
      throw e;
    }
  }
  return o;
}

function sockState(sk: Sock): number {
  if (sk instanceof TcpSock) return sk.state;
  return (sk as UdpSock).connected ? TCP_ESTABLISHED : TCP_CLOSE;
}

function service(port: number, udp: boolean, o: SsOpts, host: Host): string {
  if (port === 0) return '*';
  if (o.numeric) return String(port);
  const [lo, hi] = host.sysctl.getVector('net.ipv4.ip_local_port_range') as [number, number];
  if (port >= lo && port <= hi) return String(port);
  return (udp ? UDP_SERVICES : TCP_SERVICES).get(port) ?? String(port);
}

/** The fd of a socket in its process: 3 onward, in the order the process's sockets were created. */
function fdOf(host: Host, sk: Sock): number {
  let fd = 3;
  for (const s of host.sockets.all) {
    if (s === sk) return fd;
    if (s.owner === sk.owner) fd++;
  }
  return fd;
}

/** print_ms_timer. */
function msTimer(ms: number): string {
  let secs = Math.floor(ms / 1000);
  const minutes = Math.floor(secs / 60);
  secs %= 60;
  let msecs = ms % 1000;
  let out = '';
  if (minutes) {
    msecs = 0;
    out = `${minutes}min`;
    if (minutes > 9) secs = 0;
  }
  if (secs) {
    if (secs > 9) msecs = 0;
    out += `${secs}${msecs ? '.' : 'sec'}`;
  }
  if (msecs) out += `${String(msecs).padStart(3, '0')}ms`;
  return out;
}

/** sprint_bw: bits per second, raw with -n, else to three significant digits with k, M, G or T. */
export function sprintBw(bw: number, numeric: boolean): string {
  if (numeric) return bw.toFixed(0);
  if (bw >= 1e12) return `${cFormatG(bw / 1e12, 3)}T`;
  if (bw >= 1e9) return `${cFormatG(bw / 1e9, 3)}G`;
  if (bw >= 1e6) return `${cFormatG(bw / 1e6, 3)}M`;
  if (bw >= 1e3) return `${cFormatG(bw / 1e3, 3)}k`;
  return cFormatG(bw);
}

/** jiffies_to_msecs(usecs_to_jiffies(ns)). */
function jiffiesMs(ns: number): number {
  return jiffiesCeilOf(ns) * (1000 / HZ);
}

/** tcp_get_info → tcp_show_info: the -i line of a TCP socket, zero fields omitted as ss does. */
export function tcpInfoLine(sk: TcpSock, now: number, withOptions: boolean, numeric: boolean): string {
  let s = '';
  if (sk.state === TCP_LISTEN) return ` cubic cwnd:${sk.cwnd}`;
  if (withOptions) {
    if (sk.tsEnabled) s += ' ts';
    if (sk.sackOk) s += ' sack';
  }
  s += ' cubic';
  // TCPI_OPT_WSCALE is set only once the SYN-ACK has negotiated window scaling.
  if (sk.state !== TCP_SYN_SENT && (sk.rcvWscale || sk.sndWscale)) s += ` wscale:${sk.sndWscale},${sk.rcvWscale}`;
  s += ` rto:${cFormatG(jiffiesMs(sk.rto))}`;
  if (sk.backoff) s += ` backoff:${sk.backoff}`;
  const rttUs = sk.srtt >> 3;
  if (rttUs) s += ` rtt:${cFormatG(rttUs / 1000)}/${cFormatG((sk.mdev >> 2) / 1000)}`;
  if (sk.bytesReceived) s += ' ato:40';
  const tsLen = sk.tsEnabled ? 12 : 0;
  if (sk.mss) s += ` mss:${sk.mss}`;
  if (sk.pmtu) s += ` pmtu:${sk.pmtu}`;
  if (sk.rcvMss) s += ` rcvmss:${sk.rcvMss}`;
  if (sk.advmss) s += ` advmss:${sk.advmss - tsLen}`;
  if (sk.cwnd) s += ` cwnd:${sk.cwnd}`;
  if (sk.ssthresh < 0xffff) s += ` ssthresh:${sk.ssthresh}`;
  if (sk.bytesSent) s += ` bytes_sent:${sk.bytesSent}`;
  if (sk.bytesRetrans) s += ` bytes_retrans:${sk.bytesRetrans}`;
  if (sk.bytesAcked) s += ` bytes_acked:${sk.bytesAcked}`;
  if (sk.bytesReceived) s += ` bytes_received:${sk.bytesReceived}`;
  if (sk.segsOut) s += ` segs_out:${sk.segsOut}`;
  if (sk.segsIn) s += ` segs_in:${sk.segsIn}`;
  if (sk.dataSegsOut) s += ` data_segs_out:${sk.dataSegsOut}`;
  if (sk.dataSegsIn) s += ` data_segs_in:${sk.dataSegsIn}`;
  if (rttUs) s += ` send ${sprintBw(sk.cwnd * sk.mss * 8_000_000 / rttUs, numeric)}bps`;
  const ago = (t: number) => Math.floor(Math.max(0, now - t) / 1e6);
  if (sk.lastSend && ago(sk.lastSend)) s += ` lastsnd:${ago(sk.lastSend)}`;
  if (sk.lastRecv && ago(sk.lastRecv)) s += ` lastrcv:${ago(sk.lastRecv)}`;
  if (sk.lastAck && ago(sk.lastAck)) s += ` lastack:${ago(sk.lastAck)}`;
  if (rttUs) s += ` pacing_rate ${sprintBw(tcpPacingRate(sk.host, sk) * 8, numeric)}bps`;
  const deliveryRate = tcpDeliveryRate(sk) * 8;
  if (deliveryRate) s += ` delivery_rate ${sprintBw(deliveryRate, numeric)}bps`;
  if (sk.delivered) s += ` delivered:${sk.delivered}`;
  if (sk.rateAppLimited) s += ' app_limited';
  const [busy, rwndLimited, sndbufLimited] = tcpChronoStats(sk, now);
  if (busy) {
    s += ` busy:${Math.floor(busy / 1000)}ms`;
    if (rwndLimited) s += ` rwnd_limited:${Math.floor(rwndLimited / 1000)}ms(${(100 * rwndLimited / busy).toFixed(1)}%)`;
    if (sndbufLimited) s += ` sndbuf_limited:${Math.floor(sndbufLimited / 1000)}ms(${(100 * sndbufLimited / busy).toFixed(1)}%)`;
  }
  const unacked = sk.packetsOut;
  if (unacked) s += ` unacked:${unacked}`;
  // tcpi_retrans is retrans_out (retransmissions in flight now), tcpi_total_retrans the total.
  if (sk.retransOut || sk.totalRetrans) s += ` retrans:${sk.retransOut}/${sk.totalRetrans}`;
  // tcpi_lost is lost_out: segments marked lost and not yet repaired.
  if (sk.lostOut) s += ` lost:${sk.lostOut}`;
  if (sk.sackedOut) s += ` sacked:${sk.sackedOut}`;
  if (sk.dsackDups) s += ` dsack_dups:${sk.dsackDups}`;
  if (sk.reordering !== 3) s += ` reordering:${sk.reordering}`;
  if (sk.reordSeen) s += ` reord_seen:${sk.reordSeen}`;
  const rcvRttUs = sk.rcvRttUs8 >> 3;
  if (rcvRttUs) s += ` rcv_rtt:${cFormatG(rcvRttUs / 1000)}`;
  if (sk.rcvqSpace) s += ` rcv_space:${sk.rcvqSpace}`;
  if (sk.rcvSsthresh && sk.rcvSsthresh < 0x7fffffff) s += ` rcv_ssthresh:${sk.rcvSsthresh}`;
  if (sk.unsent > 0) s += ` notsent:${sk.unsent}`;
  if (sk.minRtt) s += ` minrtt:${cFormatG(sk.minRtt / 1000)}`;
  if (sk.sndWnd) s += ` snd_wnd:${sk.sndWnd}`;
  return s;
}

/**
 * tcp_timer_print: inet_diag's idiag_timer (1 on: the retransmit timer, RTO
 * or loss probe; 3 timewait; 4 persist: the zero-window probe timer), the
 * time left, and retransmits or probes sent; nothing when no timer runs.
 */
function tcpTimer(sk: TcpSock, now: number): string {
  const left = (at: number) => msTimer(jiffiesMs(Math.max(0, at - now)));
  if (sk.state === TCP_TIME_WAIT) return ` timer:(timewait,${left(sk.twStart + TCP_TIMEWAIT_LEN)},0)`;
  if (sk.rtoArmed || sk.tlpArmed) return ` timer:(on,${left(sk.xmitTimerAt)},${sk.retransmits})`;
  if (sk.probeArmed) return ` timer:(persist,${left(sk.probeTimerAt)},${sk.probesOut})`;
  return '';
}

/** print_skmeminfo: skmem:(r,rb,t,tb,f,w,o,bl,d). */
function skmem(sk: Sock): string {
  const wq = sk instanceof TcpSock ? sk.wmemQueued : 0;
  return ` skmem:(r${sk.rmemAlloc},rb${sk.rcvbuf},t${sk.wmemAlloc},tb${sk.sndbuf},f0,w${wq},o0,bl0,d${sk.drops})`;
}

/**
 * print_summary (ss -s): the totals /proc/net/sockstat and /proc/net/snmp
 * give. `TCP:` is alloc + tw (full sockets, TIME-WAIT minisockets), closed
 * is alloc − (inuse − tw), orphaned counts sockets the application closed
 * that still live; the table's TCP row is inuse (hashed sockets). A
 * SYN_RECV child is a request socket in the kernel, not a full one.
 */
function summary(host: Host): string {
  let udp = 0;
  let inuse = 0;
  let unhashed = 0;
  let tw = 0;
  let orphans = 0;
  for (const sk of host.sockets.all) {
    if (sk instanceof UdpSock) {
      udp++;
      continue;
    }
    if (!(sk instanceof TcpSock) || sk.state === TCP_SYN_RECV) continue;
    if (sk.state === TCP_TIME_WAIT) tw++;
    else if (sk.state === TCP_CLOSE) {
      if (!sk.closedByApp && sk.owner) unhashed++;
    } else {
      inuse++;
      if (sk.closedByApp) orphans++;
    }
  }
  const alloc = inuse + unhashed;
  const estab = host.snmp.v[MIB.TcpCurrEstab]!;
  // sockets: used: every socket a process holds a file for (TIME-WAIT and orphans have none).
  const used = udp + alloc - orphans;
  const row = (name: string, n: number) => `${name}\t  ${String(n).padEnd(9)} ${String(n).padEnd(9)} ${'0'.padEnd(9)}\n`;
  return `Total: ${used}\n` +
    `TCP:   ${alloc + tw} (estab ${estab}, closed ${alloc - (inuse - tw)}, orphaned ${orphans}, timewait ${tw})\n\n` +
    'Transport Total     IP        IPv6\n' +
    row('RAW', 0) + row('UDP', udp) + row('TCP', inuse) + row('INET', udp + inuse) + row('FRAG', 0) + '\n';
}

export function ss(host: Host, argv: string[], world: World): CommandResult {
  const o = parse(argv);
  if ('exitCode' in o) return o;
  if (o.summary) return { stdout: summary(host), stderr: '', exitCode: 0 };
  const now = world.sim.now;
  let states = o.states ?? (o.all ? ALL : o.listening ? (1 << TCP_LISTEN) | (1 << TCP_CLOSE) : SS_CONN);
  if (o.states !== null && o.listening && !o.all) states &= (1 << TCP_LISTEN) | (1 << TCP_CLOSE);
  const wantTcp = o.tcp || !o.udp;
  const wantUdp = o.udp || !o.tcp;
  const cols = ssColumns();
  // ss hides Netid when one socket table is asked for and State when one state is.
  if (wantTcp !== wantUdp) cols[0]!.disabled = true;
  if ((states & (states - 1)) === 0) cols[1]!.disabled = true;
  const rows: string[][] = [];
  const emit = (sk: Sock, udp: boolean) => {
    const st = sockState(sk);
    if (!(states & (1 << st))) return;
    if (o.expr && !matchExpr(o.expr, sk)) return;
    const tcp = sk instanceof TcpSock ? sk : null;
    const listen = st === TCP_LISTEN;
    const rq = udp ? sk.rmemAlloc : listen ? tcp!.acceptQueue.length : tcp!.rcvQueued;
    const wq = udp ? sk.wmemAlloc : listen ? tcp!.backlog : Math.max(0, tcp!.sndNxt - tcp!.sndUna + tcp!.unsent);
    const peerUnset = udp ? !(sk as UdpSock).connected : listen;
    let proc = '';
    // A closed (orphaned) or TIME_WAIT socket has no file: no process holds it.
    const orphan = tcp !== null && (st === TCP_TIME_WAIT || tcp.closedByApp);
    if (o.processes && sk.owner && !orphan) proc += ` users:(("${sk.owner.comm}",pid=${sk.owner.pid},fd=${fdOf(host, sk)}))`;
    if (o.options && tcp && !listen) proc += tcpTimer(tcp, now);
    if (o.extended) {
      const cookie = host.sockets.all.indexOf(sk) + 1;
      const shut = tcp ? `${tcp.finReceived ? '-' : '<'}-${tcp.finSent ? '-' : '>'}` : '<->';
      proc += ` ino:${orphan ? 0 : sk.inode} sk:${cookie.toString(16)} ${shut}`;
    }
    // A TIME-WAIT minisocket has no memory or tcp_info to report (inet_twsk_diag_fill).
    if ((o.memory || (o.info && tcp)) && st !== TCP_TIME_WAIT) {
      proc += '\n\t';
      if (o.memory) proc += skmem(sk);
      if (o.info && tcp) proc += tcpInfoLine(tcp, now, o.extended || o.options, o.numeric);
    }
    rows.push([
      udp ? 'udp' : 'tcp', SSTATE[st]!, String(rq).padEnd(6), String(wq).padEnd(6),
      `${formatIpv4(sk.saddr)}:`, service(sk.sport, udp, o, host),
      `${formatIpv4(peerUnset ? 0 : sk.daddr)}:`, peerUnset ? '*' : service(sk.dport, udp, o, host), proc, '',
    ]);
  };
  // ss dumps UDP before TCP (udp_show, then tcp_show); TCP listeners come first (the listening hash).
  if (wantUdp) for (const sk of host.sockets.all) if (sk instanceof UdpSock) emit(sk, true);
  if (wantTcp) {
    for (const sk of host.sockets.all) if (sk instanceof TcpSock && sk.state === TCP_LISTEN) emit(sk, false);
    for (const sk of host.sockets.all) if (sk instanceof TcpSock && sk.state !== TCP_LISTEN && sk.state !== TCP_CLOSE) emit(sk, false);
  }
  return { stdout: renderColumns(cols, rows, !o.noHeader), stderr: '', exitCode: 0 };
}

registerTool('ss', (host, argv, world) => ss(host, argv, world));
