// `perf trace -e EVENTS [-p PID | -a]` (perf 6.x, tracepoint mode) on a
// simulated host. Events are the kernel tracepoints the model's stages
// correspond to (net:net_dev_queue and net_dev_start_xmit/net_dev_xmit at the
// qdisc and driver, net:napi_gro_receive_entry, net:netif_receive_skb,
// napi:napi_poll once per poll, skb:kfree_skb with the numeric reason,
// skb:consume_skb, syscalls:sys_enter_sendto/recvfrom/read/write), printed as
// perf prints tracepoint fields: `name: value`, zero fields left out.
//
// perf trace is live: it runs as a job from the moment it is typed until
// Ctrl-C (or the end of the run) and prints what happened meanwhile, read
// from the world's recorded trace. When the run recorded its trace from the
// start (World.record(), which the scenario runner turns on when a timed
// command needs it), the events before the command are shown as well, as if
// perf had been started at boot; otherwise perf trace says it sees events only
// from now on. `-p PID` keeps the packets the process sent or received (the
// skbs of its sendto/write/recvfrom/read) and its syscalls.

import type { Host } from '../model/host.js';
import type { World } from '../model/world.js';
import type { TraceEvent } from '../model/trace.js';
import { registerTool, type CommandResult, type RunningJob } from './runner.js';
import { DropReason } from '../model/drop_reason.js';
import { dropSiteOffset, symbolAddr } from './kallsyms.js';
import type { Process } from '../transport/process.js';
import { TcpSock } from '../transport/tcp_sock.js';
import { TCP_LISTEN } from '../transport/tcp_states.js';

/** The tracepoints 6.18 has in the groups perf trace is asked for here. */
const TRACEPOINTS: Record<string, readonly string[]> = {
  net: ['net_dev_queue', 'net_dev_start_xmit', 'net_dev_xmit', 'net_dev_xmit_timeout', 'netif_receive_skb', 'netif_receive_skb_entry',
    'netif_receive_skb_exit', 'netif_receive_skb_list_entry', 'netif_receive_skb_list_exit', 'netif_rx', 'netif_rx_entry', 'netif_rx_exit',
    'napi_gro_receive_entry', 'napi_gro_receive_exit', 'napi_gro_frags_entry', 'napi_gro_frags_exit'],
  napi: ['napi_poll', 'dql_stall_detected'],
  skb: ['kfree_skb', 'consume_skb', 'skb_copy_datagram_iovec'],
  syscalls: ['sys_enter_sendto', 'sys_exit_sendto', 'sys_enter_recvfrom', 'sys_exit_recvfrom', 'sys_enter_read', 'sys_exit_read',
    'sys_enter_write', 'sys_exit_write', 'sys_enter_connect', 'sys_enter_accept4'],
};

const REASON_BY_NAME: Record<string, number> = DropReason;

/** perf's parse-events error: a caret under the event that does not exist. */
function unknownTracepoint(spec: string, at: number, group: string, name: string): string {
  return `event syntax error: '${spec}'\n${' '.repeat(21 + at)}\\___ unknown tracepoint\n\n` +
    `Error:\tFile /sys/kernel/tracing/events/${group}/${name} not found.\n` +
    'Hint:\tPerhaps this kernel misses some CONFIG_ setting to enable this feature?.\n';
}

/** Expands `net:*,skb:kfree_skb` into tracepoint names, or returns perf's complaint. */
export function parseEvents(spec: string): Set<string> | string {
  const out = new Set<string>();
  let at = 0;
  for (const part of spec.split(',')) {
    const m = /^([a-z_]+):(.+)$/.exec(part);
    const group = m ? m[1]! : part;
    const pat = m ? m[2]! : '';
    const re = new RegExp(`^${pat.replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    const hit = TRACEPOINTS[group]?.filter((n) => re.test(n)) ?? [];
    if (hit.length === 0) return unknownTracepoint(spec, at, group, pat);
    for (const n of hit) out.add(`${group}:${n}`);
    at += part.length + 1;
  }
  return out;
}

function hex(n: bigint | number): string {
  return `0x${n.toString(16)}`;
}

/** A kernel skb address for a model skb id (slab objects 256 bytes apart). */
function skbAddr(id: number): string {
  return hex(0xffff888100000000n + BigInt(id) * 0x100n);
}

function fields(pairs: Array<[string, string | number]>): string {
  return pairs.filter(([, v]) => v !== 0 && v !== '0').map(([k, v]) => `${k}: ${v}`).join(', ');
}

interface Line {
  t: number;
  who: string;
  text: string;
}

/** The system call behind a process-context stage, by the kernel function that ran it. */
const SYSCALL_OF_FN: Record<string, string> = {
  tcp_sendmsg: 'write', tcp_recvmsg: 'read', udp_sendmsg: 'sendto', udp_recvmsg: 'recvfrom', raw_sendmsg: 'sendmsg',
};

/** The process (the event's pid field) and system call of an app-send/app-recv event. */
function syscallOf(ev: TraceEvent): { pid: number; call: string } | null {
  if (ev.pid === undefined) return null;
  return { pid: ev.pid, call: SYSCALL_OF_FN[ev.fn] ?? '' };
}

/** Formats the recorded events [from, to) of `host` as perf trace lines. */
export function perfLines(host: Host, world: World, events: Set<string>, pid: number | null, from: number, to: number): Line[] {
  const rec = world.recorded ?? [];
  const facts = world.recordedSkb;
  const procs = new Map<number, Process>(host.processes.map((p) => [p.pid, p]));
  // The skbs a process touched (for -p) and which process each belongs to (for the comm/pid column).
  const owner = new Map<number, Process>();
  for (let i = 0; i < to; i++) {
    const ev = rec[i]!;
    if (ev.host !== host.name || (ev.stage !== 'app-send' && ev.stage !== 'app-recv')) continue;
    const sc = syscallOf(ev);
    const p = sc ? procs.get(sc.pid) : undefined;
    if (p) owner.set(ev.skb, p);
  }
  const lines: Line[] = [];
  const want = (name: string) => events.has(name);
  const whoOf = (ev: TraceEvent) => {
    const p = owner.get(ev.skb);
    return p ? `${p.comm}/${p.pid}` : `swapper/${ev.cpu}/0`;
  };
  const queueOf = new Map<number, number>();
  let poll: { ev: TraceEvent; work: number; budget: number; queue: number; endT: number } | null = null;
  const flushPoll = () => {
    if (!poll) return;
    if (want('napi:napi_poll')) {
      const dev = host.devByName.get(poll.ev.dev ?? '');
      const napi = 0xffff888627c2d400n + BigInt((dev?.ifindex ?? 0) * 0x1000 + poll.queue * 0x40);
      lines.push({ t: poll.endT, who: whoOf(poll.ev), text: `napi:napi_poll(${fields([['napi', hex(napi)], ['dev_name', `"${poll.ev.dev ?? '(no_device)'}"`], ['work', poll.work], ['budget', poll.budget]])})` });
    }
    poll = null;
  };
  for (let i = from; i < to; i++) {
    const ev = rec[i]!;
    if (ev.host !== host.name) continue;
    // napi_poll fires when the poll returns: after the work its packets did on that CPU.
    if (poll && ev.cpu === poll.ev.cpu && ev.t > poll.endT) poll.endT = ev.t;
    const mine = pid === null || owner.get(ev.skb)?.pid === pid;
    const f = facts[i];
    const len = f?.frameLen ?? 0;
    const proto = f?.ethProto ?? 0x800;
    if (ev.stage === 'napi-poll') {
      const m = /rx queue (\d+), packet (\d+) of weight (\d+)/.exec(ev.detail);
      const q = m ? Number(m[1]) : 0;
      const n = m ? Number(m[2]) : 1;
      queueOf.set(ev.skb, q);
      if (poll && (n <= poll.work || poll.ev.cpu !== ev.cpu || poll.ev.dev !== ev.dev || poll.queue !== q)) flushPoll();
      if (mine) poll = { ev, work: n, budget: m ? Number(m[3]) : 64, queue: q, endT: (poll as { endT: number } | null)?.endT ?? ev.t };
      continue;
    }
    if (!mine) continue;
    const who = whoOf(ev);
    const name = `"${ev.dev ?? ''}"`;
    const push = (tp: string, args: Array<[string, string | number]>) => {
      if (want(tp)) lines.push({ t: ev.t, who, text: `${tp}(${fields(args)})` });
    };
    switch (ev.stage) {
      case 'dev-qdisc':
        push('net:net_dev_queue', [['skbaddr', skbAddr(ev.skb)], ['len', len], ['name', name]]);
        break;
      case 'driver-xmit':
        push('net:net_dev_start_xmit', [['name', name], ['skbaddr', skbAddr(ev.skb)], ['protocol', proto], ['ip_summed', f?.ipSummed ?? 0], ['len', len],
          ['network_offset', 14], ['transport_offset_valid', 1], ['transport_offset', 34]]);
        push('net:net_dev_xmit', [['skbaddr', skbAddr(ev.skb)], ['len', len], ['name', name]]);
        break;
      case 'gro':
        push('net:napi_gro_receive_entry', [['name', name], ['napi_id', 257 + (host.devByName.get(ev.dev ?? '')?.ifindex ?? 1) - 1], ['queue_mapping', (queueOf.get(ev.skb) ?? 0) + 1],
          ['skbaddr', skbAddr(ev.skb)], ['protocol', proto], ['len', Math.max(0, len - 14)], ['truesize', f?.truesize ?? 0], ['mac_header_valid', 1], ['mac_header', 4294967282]]);
        break;
      case 'cpu-backlog':
        push('net:netif_receive_skb', [['skbaddr', skbAddr(ev.skb)], ['len', Math.max(0, len - 14)], ['name', name]]);
        break;
      case 'drop': {
        const reason = REASON_BY_NAME[ev.reason ?? ''] ?? DropReason.NOT_SPECIFIED;
        push('skb:kfree_skb', [['skbaddr', skbAddr(ev.skb)], ['location', hex(symbolAddr(ev.fn) + BigInt(dropSiteOffset(ev.fn, reason)))], ['protocol', proto], ['reason', reason]]);
        break;
      }
      case 'tx-complete':
        push('skb:consume_skb', [['skbaddr', skbAddr(ev.skb)], ['location', hex(symbolAddr(ev.fn) + 0x4an)]]);
        break;
      case 'app-send':
      case 'app-recv': {
        const sc = syscallOf(ev);
        const p = sc ? procs.get(sc.pid) : undefined;
        if (ev.stage === 'app-recv') push('skb:consume_skb', [['skbaddr', skbAddr(ev.skb)], ['location', hex(symbolAddr(ev.fn) + 0x5dn)]]);
        if (sc && p) {
          const sk = host.sockets.all.find((s) => s.owner === p && !(s instanceof TcpSock && s.state === TCP_LISTEN));
          const fd = sk ? `${3 + host.sockets.all.filter((s) => s.owner === p).indexOf(sk)}<socket:[${sk.inode}]>` : '3';
          const payload = Math.max(0, len - 14 - 28);
          const buf = hex(0x7f3d7d3f1910n + BigInt(p.pid) * 0x1000n);
          if (sc.call === 'sendto') push('syscalls:sys_enter_sendto', [['fd', fd], ['buff', buf], ['len', payload], ['addr', '{ .family: UNSPEC }'], ['addr_len', '0x10']]);
          else if (sc.call === 'recvfrom') push('syscalls:sys_enter_recvfrom', [['fd', fd], ['ubuf', buf], ['size', payload]]);
          else if (sc.call === 'write') push('syscalls:sys_enter_write', [['fd', fd], ['buf', buf], ['count', payload]]);
          else if (sc.call === 'read') push('syscalls:sys_enter_read', [['fd', fd], ['buf', buf], ['count', payload]]);
        }
        break;
      }
    }
  }
  flushPoll();
  return lines.sort((a, b) => a.t - b.t);
}

/** perf trace's line: `%10.3f` ms since the first event shown, `comm/pid`, the event. */
function render(lines: Line[], t0: number): string {
  return lines.map((l) => `${((l.t - t0) / 1e6).toFixed(3).padStart(10)} ${l.who} ${l.text}\n`).join('');
}

class PerfTraceJob implements RunningJob {
  private finished = false;
  private shown = 0;
  private t0: number | null = null;
  readonly done = false;

  constructor(private readonly host: Host, private readonly world: World, private readonly events: Set<string>,
    private readonly pid: number | null, private readonly from: number) {}

  private take(): string {
    const lines = perfLines(this.host, this.world, this.events, this.pid, this.from, this.world.recorded!.length);
    const fresh = lines.slice(this.shown);
    this.shown = lines.length;
    if (fresh.length > 0 && this.t0 === null) this.t0 = lines[0]!.t;
    return render(fresh, this.t0 ?? 0);
  }

  drain(): string {
    return this.finished ? '' : this.take();
  }

  finish(): CommandResult {
    if (this.finished) return { stdout: '', stderr: '', exitCode: 0 };
    const out = this.take();
    this.finished = true;
    return { stdout: out, stderr: '', exitCode: 0 };
  }
}

const USAGE = '\n Usage: perf trace [<options>] [<command>]\n    or: perf trace [<options>] -- <command> [<options>]\n';

export function perf(host: Host, argv: string[], world: World): CommandResult {
  if (argv[0] !== 'trace') {
    if (argv[0] === undefined) return { stdout: '', stderr: '\n usage: perf [--version] [--help] [OPTIONS] COMMAND [ARGS]\n', exitCode: 1 };
    return { stdout: '', stderr: `perf: '${argv[0]}' is not a perf-command. See 'perf --help'.\n`, exitCode: 1 };
  }
  let spec = '';
  let pid: number | null = null;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-e' || a === '--event') spec += (spec ? ',' : '') + (argv[++i] ?? '');
    else if (a.startsWith('--event=')) spec += (spec ? ',' : '') + a.slice(8);
    else if (a === '-p' || a === '--pid') {
      const v = argv[++i] ?? '';
      if (!/^\d+$/.test(v)) return { stdout: '', stderr: 'Problems parsing the target to trace, check your options!\n', exitCode: 255 };
      pid = Number(v);
    } else if (a === '-a' || a === '--all-cpus') pid = null;
    else return { stdout: '', stderr: `  Error: unknown option \`${a.replace(/^-+/, '')}'\n${USAGE}`, exitCode: 129 };
  }
  if (!spec) return { stdout: '', stderr: 'perf trace: this simulation traces tracepoints only; give -e EVENTS (e.g. -e net:*)\n', exitCode: 129 };
  const events = parseEvents(spec);
  if (typeof events === 'string') return { stdout: '', stderr: events, exitCode: 129 };
  if (pid !== null && !host.processes.some((p) => p.pid === pid)) {
    return { stdout: '', stderr: 'Problems parsing the target to trace, check your options!\n', exitCode: 255 };
  }
  let stderr = '';
  let from = 0;
  if (!world.recorded) {
    from = world.record().length;
    stderr = 'perf trace: the trace was not recorded before now; events are shown from now on\n';
  }
  return { stdout: '', stderr, exitCode: 0, job: new PerfTraceJob(host, world, events, pid, from) };
}

/** True when a command line needs the trace recorded from the start of the run (perf trace, dropwatch packet mode). */
export function needsRecordedTrace(line: string): boolean {
  return /(^|[|;]\s*)(sudo\s+)?(perf\s+trace|dropwatch)\b/.test(line.trim());
}

registerTool('perf', (host, argv, world) => perf(host, argv, world));
