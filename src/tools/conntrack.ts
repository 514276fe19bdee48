// The `conntrack` command of conntrack-tools 1.4.7 on a simulated host:
// -L, -D, -F, -S, -C and -E with the common filters, printing what the real
// tool prints (lines on stdout, the summary on stderr) with its exit codes
// and error messages (checked against conntrack 1.4.7 on Linux 6.18).

import { IPPROTO } from '../model/skb.js';
import { IPS } from '../netfilter/nf_conntrack_common.js';
import {
  type Conntrack, type ConntrackEntry, TCP_CONNTRACK_NAMES, ctLine, ctStatsText,
} from '../netfilter/conntrack/index.js';

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const PROG = 'conntrack v1.4.7 (conntrack-tools)';

/**
 * The netlink ports a conntrack process binds (netlink_autobind), worked out
 * only when a request needs one: its first socket takes the process's pid,
 * a second one a random id in [S32_MIN, -4097] (shown unsigned).
 */
export interface NetlinkPorts {
  pid(): number;
  rover(): number;
}

/** Ports for callers that model no processes (tests driving a bare table). */
const NO_PROCESS: NetlinkPorts = { pid: () => 1, rover: () => 0x80000000 };

const USAGE = `Command line interface for the connection tracking system. Version 1.4.7
Usage: conntrack [commands] [options]

Commands:
  -L [table] [options]\t\tList conntrack or expectation table
  -G [table] parameters\t\tGet conntrack or expectation
  -D [table] parameters\t\tDelete conntrack or expectation
  -I [table] parameters\t\tCreate a conntrack or expectation
  -U [table] parameters\t\tUpdate a conntrack
  -E [table] [options]\t\tShow events
  -F [table]\t\t\tFlush table
  -C [table]\t\t\tShow counter
  -S\t\t\t\tShow statistics

Tables: conntrack, expect, dying, unconfirmed

Conntrack parameters and options:
  -n, --src-nat ip\t\t\tsource NAT ip
  -g, --dst-nat ip\t\t\tdestination NAT ip
  -j, --any-nat ip\t\t\tsource or destination NAT ip
  -m, --mark mark\t\t\tSet mark
  -c, --secmark secmark\t\t\tSet selinux secmark
  -e, --event-mask eventmask\t\tEvent mask, eg. NEW,DESTROY
  -z, --zero \t\t\t\tZero counters while listing
  -o, --output type[,...]\t\tOutput format, eg. xml
  -l, --label label[,...]\t\tconntrack labels

Expectation parameters and options:
  --tuple-src ip\tSource address in expect tuple
  --tuple-dst ip\tDestination address in expect tuple

Updating parameters and options:
  --label-add label\tAdd label
  --label-del label\tDelete label

Common parameters and options:
  -s, --src, --orig-src ip\t\tSource address from original direction
  -d, --dst, --orig-dst ip\t\tDestination address from original direction
  -r, --reply-src ip\t\tSource addres from reply direction
  -q, --reply-dst ip\t\tDestination address from reply direction
  -p, --protonum proto\t\tLayer 4 Protocol, eg. 'tcp'
  -f, --family proto\t\tLayer 3 Protocol, eg. 'ipv6'
  -t, --timeout timeout\t\tSet timeout
  -u, --status status\t\tSet status, eg. ASSURED
  -w, --zone value\t\tSet conntrack zone
  --orig-zone value\t\tSet zone for original direction
  --reply-zone value\t\tSet zone for reply direction
  -b, --buffer-size\t\tNetlink socket buffer size
  --mask-src ip\t\t\tSource mask address
  --mask-dst ip\t\t\tDestination mask address

`;

type Command = 'L' | 'D' | 'F' | 'S' | 'C' | 'E';

const COMMANDS: Record<string, Command> = {
  '-L': 'L', '--dump': 'L', '-D': 'D', '--delete': 'D', '-F': 'F', '--flush': 'F',
  '-S': 'S', '--stats': 'S', '-C': 'C', '--count': 'C', '-E': 'E', '--event': 'E',
};

/** Options taking an argument, by every spelling, mapped to a canonical name. */
const ARG_OPTS: Record<string, string> = {
  '-s': 'src', '--src': 'src', '--orig-src': 'src',
  '-d': 'dst', '--dst': 'dst', '--orig-dst': 'dst',
  '-r': 'rsrc', '--reply-src': 'rsrc',
  '-q': 'rdst', '--reply-dst': 'rdst',
  '-p': 'proto', '--protonum': 'proto', '--proto': 'proto',
  '-f': 'family', '--family': 'family',
  '-m': 'mark', '--mark': 'mark',
  '-o': 'output', '--output': 'output',
  '-u': 'status', '--status': 'status',
  '-w': 'zone', '--zone': 'zone',
  '-e': 'eventmask', '--event-mask': 'eventmask',
  '-b': 'bufsize', '--buffer-size': 'bufsize',
};

/** Options the protocol extensions add once `-p` names the protocol (conntrack-tools extensions/libct_proto_*.c). */
const PROTO_OPTS: Record<number, Record<string, string>> = {
  [IPPROTO.TCP]: { '--sport': 'sport', '--orig-port-src': 'sport', '--dport': 'dport', '--orig-port-dst': 'dport',
    '--reply-port-src': 'rsport', '--reply-port-dst': 'rdport', '--state': 'state' },
  [IPPROTO.UDP]: { '--sport': 'sport', '--orig-port-src': 'sport', '--dport': 'dport', '--orig-port-dst': 'dport',
    '--reply-port-src': 'rsport', '--reply-port-dst': 'rdport' },
  [IPPROTO.ICMP]: { '--icmp-type': 'icmptype', '--icmp-code': 'icmpcode', '--icmp-id': 'icmpid' },
};

const PROTO_NAMES: Record<string, number> = { tcp: IPPROTO.TCP, udp: IPPROTO.UDP, icmp: IPPROTO.ICMP, sctp: 132, gre: 47, udplite: 136, dccp: 33 };

class UsageError extends Error {}

function usageError(msg: string): UsageError {
  return new UsageError(`${PROG}: ${msg}\nTry \`conntrack -h' or 'conntrack --help' for more information.\n`);
}

/** inet_aton: a, a.b, a.b.c and a.b.c.d forms, each part decimal, octal or hex. */
export function inetAton(text: string): number | null {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    if (!/^(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i.test(p)) return null;
    nums.push(p.toLowerCase().startsWith('0x') ? parseInt(p, 16) : p.length > 1 && p.startsWith('0') ? parseInt(p, 8) : Number(p));
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255)) return null;
  const lastBits = 32 - 8 * nums.length;
  if (lastBits < 32 && last >= 2 ** lastBits) return null;
  if (last > 0xffffffff) return null;
  let v = 0;
  nums.forEach((n, i) => { v += n * 2 ** (24 - 8 * i); });
  return v + last;
}

/** strtoul(s, NULL, 0) as conntrack parses numbers: leading digits, 0 when none. */
function strtoul(s: string): number {
  const m = /^\s*(0x[0-9a-f]+|0[0-7]*|[0-9]+)/i.exec(s);
  if (!m) return 0;
  const t = m[1]!;
  if (/^0x/i.test(t)) return parseInt(t, 16) >>> 0;
  if (t.length > 1 && t.startsWith('0')) return parseInt(t, 8) >>> 0;
  return Number(t) >>> 0;
}

interface Filter {
  proto: number;
  src: number | null;
  dst: number | null;
  rsrc: number | null;
  rdst: number | null;
  sport: number | null;
  dport: number | null;
  rsport: number | null;
  rdport: number | null;
  states: Set<string> | null;
  mark: number | null;
  markMask: number;
  status: number | null;
  icmpType: number | null;
  icmpCode: number | null;
  icmpId: number | null;
}

function matches(e: ConntrackEntry, f: Filter): boolean {
  if (f.proto >= 0 && e.proto !== f.proto) return false;
  if (f.src !== null && e.orig.src !== f.src) return false;
  if (f.dst !== null && e.orig.dst !== f.dst) return false;
  if (f.rsrc !== null && e.reply.src !== f.rsrc) return false;
  if (f.rdst !== null && e.reply.dst !== f.rdst) return false;
  if (f.sport !== null && e.orig.sport !== f.sport) return false;
  if (f.dport !== null && e.orig.dport !== f.dport) return false;
  if (f.rsport !== null && e.reply.sport !== f.rsport) return false;
  if (f.rdport !== null && e.reply.dport !== f.rdport) return false;
  if (f.states !== null && (e.state === null || !f.states.has(e.state))) return false;
  if (f.mark !== null && ((e.mark & f.markMask) >>> 0) !== f.mark) return false;
  if (f.status !== null && (e.status & f.status) !== f.status) return false;
  if (f.icmpType !== null && e.orig.dport >>> 8 !== f.icmpType) return false;
  if (f.icmpCode !== null && (e.orig.dport & 0xff) !== f.icmpCode) return false;
  if (f.icmpId !== null && e.orig.sport !== f.icmpId) return false;
  return true;
}

/** Runs `conntrack ARGV...` (argv without the program name) against `ct` at simulated time `now` (ns). */
export function runConntrack(argv: readonly string[], ct: Conntrack, now: number, ports: NetlinkPorts = NO_PROCESS): ToolResult {
  try {
    return run(argv, ct, now, ports);
  } catch (e) {
    if (e instanceof UsageError) return { stdout: '', stderr: e.message, exitCode: 2 };
    throw e;
  }
}

function run(argv: readonly string[], ct: Conntrack, now: number, ports: NetlinkPorts): ToolResult {
  if (argv.length === 0) return { stdout: USAGE, stderr: '', exitCode: 0 };
  let cmd: Command | null = null;
  const f: Filter = {
    proto: -1, src: null, dst: null, rsrc: null, rdst: null, sport: null, dport: null, rsport: null, rdport: null,
    states: null, mark: null, markMask: 0xffffffff, status: null, icmpType: null, icmpCode: null, icmpId: null,
  };
  const outputs = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    let inlineVal: string | null = null;
    if (a.startsWith('--') && a.includes('=')) {
      inlineVal = a.slice(a.indexOf('=') + 1);
      a = a.slice(0, a.indexOf('='));
    }
    if (a === '-h' || a === '--help') return { stdout: USAGE, stderr: '', exitCode: 0 };
    if (a === '-V' || a === '--version') return { stdout: `${PROG}\n`, stderr: '', exitCode: 0 };
    const c = COMMANDS[a];
    if (c) {
      if (cmd !== null) throw usageError('Invalid commands combination');
      cmd = c;
      // An optional table name follows a command.
      const next = argv[i + 1];
      if (next === 'conntrack') i++;
      else if (next === 'expect' || next === 'dying' || next === 'unconfirmed') {
        throw usageError(`table \`${next}' is not supported by this simulation`);
      }
      continue;
    }
    if (a === '-G' || a === '-I' || a === '-U' || a === '--get' || a === '--create' || a === '--update') {
      throw usageError(`command \`${a}' is not supported by this simulation`);
    }
    const protoOpt = f.proto >= 0 ? PROTO_OPTS[f.proto]?.[a] : undefined;
    const name = ARG_OPTS[a] ?? protoOpt;
    if (name === undefined) throw usageError(`unknown option \`${a}'`);
    const val = inlineVal ?? argv[++i];
    if (val === undefined) throw usageError(`option \`${a}' requires an argument`);
    switch (name) {
      case 'src': case 'dst': case 'rsrc': case 'rdst': {
        const addr = inetAton(val);
        if (addr === null) throw usageError(`Invalid IP address \`${val}'`);
        f[name] = addr;
        break;
      }
      case 'proto': {
        const lower = val.toLowerCase();
        const n = PROTO_NAMES[lower] ?? (/^\d+$/.test(val) ? Number(val) : undefined);
        if (n === undefined || n > 255) throw usageError(`\`${val}' unsupported protocol`);
        f.proto = n;
        break;
      }
      case 'family':
        if (val !== 'ipv4' && val !== 'ipv6') throw usageError(`\`${val}' unsupported protocol`);
        if (val === 'ipv6') f.proto = -2; // no IPv6 entries exist in the model
        break;
      case 'mark': {
        const [v, m] = val.split('/');
        f.mark = strtoul(v!);
        f.markMask = m === undefined ? 0xffffffff : strtoul(m);
        f.mark = (f.mark & f.markMask) >>> 0;
        break;
      }
      case 'output':
        for (const o of val.split(',')) {
          if (!['extended', 'xml', 'timestamp', 'id', 'ktimestamp', 'labels', 'userspace'].includes(o)) {
            throw usageError(`Bad parameter \`${o}'`);
          }
          outputs.add(o);
        }
        break;
      case 'status': {
        let bits = 0;
        for (const s of val.split(',')) {
          if (s === 'ASSURED') bits |= IPS.ASSURED;
          else if (s === 'SEEN_REPLY') bits |= IPS.SEEN_REPLY;
          else if (s !== 'UNSET' && s !== 'FIXED_TIMEOUT' && s !== 'EXPECTED' && s !== 'CONFIRMED' && s !== 'DYING' &&
            s !== 'SRC_NAT' && s !== 'DST_NAT' && s !== 'SEQ_ADJUST' && s !== 'SRC_NAT_DONE' && s !== 'DST_NAT_DONE' &&
            s !== 'TEMPLATE' && s !== 'UNTRACKED') throw usageError(`Bad parameter \`${s}'`);
        }
        f.status = bits;
        break;
      }
      case 'sport': case 'dport': case 'rsport': case 'rdport':
        f[name] = strtoul(val) & 0xffff;
        break;
      case 'state': {
        const states = new Set<string>();
        for (const s of val.split(',')) {
          if (!(TCP_CONNTRACK_NAMES as readonly string[]).includes(s) || s === 'NONE') {
            throw usageError(`unknown TCP state \`${s}'`);
          }
          states.add(s);
        }
        f.states = states;
        break;
      }
      case 'icmptype': f.icmpType = strtoul(val) & 0xff; break;
      case 'icmpcode': f.icmpCode = strtoul(val) & 0xff; break;
      case 'icmpid': f.icmpId = strtoul(val) & 0xffff; break;
      default: break; // zone, event mask, buffer size: accepted and ignored
    }
  }
  if (cmd === null) throw usageError('no command specified');

  const extended = outputs.has('extended');
  switch (cmd) {
    case 'L': {
      const list = ct.entries().filter((e) => matches(e, f));
      let out = '';
      for (const e of list) out += `${ctLine(e, { extended, listing: true })}\n`;
      return { stdout: out, stderr: `${PROG}: ${list.length} flow entries have been shown.\n`, exitCode: 0 };
    }
    case 'D': {
      // 1.4.7 dumps the table on its first socket and deletes through a second one.
      ports.pid();
      const gone = ct.deleteWhere((e) => matches(e, f), ports.rover());
      let out = '';
      for (const e of gone) out += `${ctLine(e, { extended, listing: true })}\n`;
      return { stdout: out, stderr: `${PROG}: ${gone.length} flow entries have been deleted.\n`, exitCode: gone.length > 0 ? 0 : 1 };
    }
    case 'F':
      ct.flush(ports.pid());
      return { stdout: '', stderr: `${PROG}: connection tracking table has been emptied.\n`, exitCode: 0 };
    case 'S':
      return { stdout: ctStatsText(ct.stats), stderr: '', exitCode: 0 };
    case 'C':
      return { stdout: `${ct.count}\n`, stderr: '', exitCode: 0 };
    case 'E': {
      const evs = ct.events.since(0).filter((ev) => ev.t <= now && matches(ev.entry, f));
      let out = '';
      for (const ev of evs) {
        const line = ctLine(ev.entry, { extended, event: ev.type, portid: ev.portid });
        out += outputs.has('timestamp') ? `[${(ev.t / 1e9).toFixed(6)}]\t${line}\n` : `${line}\n`;
      }
      return { stdout: out, stderr: `${PROG}: ${evs.length} flow events have been shown.\n`, exitCode: 0 };
    }
  }
}
