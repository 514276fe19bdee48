import { describe, expect, it } from 'vitest';
import { fixture, LAB, runWorld } from './helpers.js';
import { runCommand } from '../../src/tools/runner.js';
import type { World } from '../../src/model/world.js';
import { DropReason } from '../../src/model/drop_reason.js';
import { compileScenario } from '../../src/scenario/build.js';
import { simulate } from '../../src/scenario/simulate.js';

/** Runs `perf trace` as a job and stops it (Ctrl-C) at once: what it printed. */
function perfTrace(world: World, host: string, line: string): { stdout: string; stderr: string; exitCode: number } {
  const r = runCommand(world, host, line);
  if (!r.job) return r;
  const f = r.job.finish();
  return { stdout: r.stdout + f.stdout, stderr: r.stderr + f.stderr, exitCode: f.exitCode };
}

const LINE = /^ *(\d+\.\d{3}) (\S+)\/(\d+) ([a-z_]+:[a-z_0-9]+)\((.*)\)$/;

function fieldNames(args: string): string[] {
  return args === '' ? [] : [...args.matchAll(/(?:^|, )([a-z_]+): /g)].map((m) => m[1]!);
}

/** Each tracepoint's field names in the order the real perf printed them. */
const REAL = new Map<string, string[]>();
for (const l of [...fixture('perf_trace_net.txt').split('\n'), ...fixture('perf_trace_sendto.txt').split('\n')]) {
  const m = LINE.exec(l);
  if (m) REAL.set(m[4]!, [...new Set([...(REAL.get(m[4]!) ?? []), ...fieldNames(m[5]!)])]);
}

function isSubsequence(a: string[], b: string[]): boolean {
  let j = 0;
  for (const x of b) if (x === a[j]) j++;
  return j === a.length;
}

describe('perf trace', () => {
  it('prints tracepoints with the real perf line shape and field order', () => {
    const world = runWorld(LAB, { record: true });
    const out = perfTrace(world, 'pb', "perf trace -e 'net:*,skb:kfree_skb,skb:consume_skb,napi:napi_poll'");
    expect(out.exitCode).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(50);
    expect(lines[0]).toMatch(/^ {5}0\.000 /);
    const seen = new Set<string>();
    for (const l of lines) {
      const m = LINE.exec(l);
      expect(m, l).not.toBeNull();
      seen.add(m![4]!);
      const real = REAL.get(m![4]!);
      if (real) expect(isSubsequence(fieldNames(m![5]!), real), l).toBe(true);
    }
    expect([...seen].sort()).toEqual(['napi:napi_poll', 'net:net_dev_queue', 'net:net_dev_start_xmit', 'net:net_dev_xmit', 'net:netif_receive_skb', 'skb:consume_skb', 'skb:kfree_skb']);
  });

  it('shows each drop with its numeric reason, as many as the kernel counted', () => {
    const world = runWorld(LAB, { record: true });
    const out = perfTrace(world, 'pb', 'perf trace -e skb:kfree_skb').stdout;
    const host = world.host('pb');
    const sk = host.sockets.all.find((s) => s.sport === 5000)!;
    expect(out.match(new RegExp(`reason: ${DropReason.SOCKET_RCVBUFF}\\)`, 'g'))).toHaveLength(sk.drops);
    expect(out.match(new RegExp(`reason: ${DropReason.NO_SOCKET}\\)`, 'g'))).toHaveLength(1);
  });

  it('keeps one process\'s packets and syscalls with -p', () => {
    const world = runWorld(LAB, { record: true });
    const sender = world.host('pa').processes.find((p) => p.comm.startsWith('udp'))!;
    const out = perfTrace(world, 'pa', `perf trace -e syscalls:sys_enter_sendto,net:net_dev_queue -p ${sender.pid}`).stdout.trimEnd().split('\n');
    const sendto = out.filter((l) => l.includes('sys_enter_sendto('));
    expect(sendto.length).toBeGreaterThan(0);
    for (const l of out) expect(l).toContain(` ${sender.comm}/${sender.pid} `);
    expect(sendto[0]).toMatch(/sys_enter_sendto\(fd: \d+<socket:\[\d+\]>, buff: 0x[0-9a-f]+, len: \d+, addr: \{ \.family: UNSPEC \}, addr_len: 0x10\)$/);
    expect(out.filter((l) => l.includes('net:net_dev_queue(')).length).toBe(sendto.length);
  });

  it('tags syscall-level events with the pid of the process, and -p matches on that field, not the detail text', () => {
    const world = runWorld(LAB, { record: true });
    const procs = world.host('pa').processes;
    const sender = procs.find((p) => p.comm.startsWith('udp'))!;
    const rec = world.recorded!;
    const appEvents = rec.filter((e) => e.host === 'pa' && (e.stage === 'app-send' || e.stage === 'app-recv'));
    expect(appEvents.length).toBeGreaterThan(0);
    for (const e of appEvents) {
      expect(procs.map((p) => p.pid)).toContain(e.pid);
      expect(e.detail).toContain(`(pid ${e.pid})`);
    }
    expect(rec.filter((e) => e.stage === 'nic-rx' || e.stage === 'napi-poll').every((e) => e.pid === undefined)).toBe(true);
    const before = perfTrace(world, 'pa', `perf trace -e syscalls:sys_enter_sendto -p ${sender.pid}`).stdout;
    // The detail text is for people: rewriting it does not change what -p keeps.
    for (const e of appEvents) e.detail = e.detail.replace(/\(pid \d+\)/, '');
    expect(perfTrace(world, 'pa', `perf trace -e syscalls:sys_enter_sendto -p ${sender.pid}`).stdout).toBe(before);
    expect(before.split('\n').filter((l) => l.includes('sys_enter_sendto(')).length).toBe(appEvents.filter((e) => e.pid === sender.pid && e.stage === 'app-send').length);
  });

  it('records from the start when a scenario command runs perf trace', () => {
    const text = `${LAB}at:\n  100ms: ["pb: perf trace -e skb:kfree_skb"]\n`;
    const r = compileScenario(text, 'lab.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const res = simulate(r.scenario);
    expect(r.scenario.world.recorded).not.toBeNull();
    expect(res.summary.commands[0]?.stdout ?? '').toContain('skb:kfree_skb(');
  });

  it('sees events only from now on when the run was not recorded', () => {
    const world = runWorld(LAB, { untilNs: 55_000_000 });
    const r = runCommand(world, 'pb', 'perf trace -e skb:kfree_skb');
    expect(r.stderr).toBe('perf trace: the trace was not recorded before now; events are shown from now on\n');
    world.sim.run(200_000_000, 1e9);
    const out = r.job!.finish().stdout;
    expect(out).toContain(`reason: ${DropReason.NO_SOCKET})`);
    expect(out.split('\n')[0]).toMatch(/^ {5}0\.000 /);
  });

  it('refuses an unknown tracepoint with perf\'s caret message', () => {
    const world = runWorld(LAB, { untilNs: 0 });
    const r = perfTrace(world, 'pb', 'perf trace -e net:*,net:nosuch');
    expect(r.exitCode).toBe(129);
    expect(r.stderr.split('\n').slice(0, 2)).toEqual(["event syntax error: 'net:*,net:nosuch'", `${' '.repeat(27)}\\___ unknown tracepoint`]);
  });
});
