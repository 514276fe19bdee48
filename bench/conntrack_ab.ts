// Interleaved A/B of the conntrack-flows workload between two builds, for
// judging a change on a machine whose speed drifts by 2x over minutes:
//
//   node dist/bench/conntrack_ab.js <buildA> <buildB> [rounds] [processes]
//
// where each build is a directory holding a compiled `src/` (this repo's
// `dist`, or `tsc --outDir` of another commit's worktree). In each process
// both tables are filled to nf_conntrack_max 262144, then fed alternately
// 50,000 SYNs at a time (A first in even rounds, B first in odd ones), so
// both see the same drift; each build runs its own copy of the driving loop,
// so the two never share the JIT's type feedback. One process is not enough:
// where each table happens to land in memory moves the same build's rate by
// up to 10% from one process to the next, and the build loaded second tends
// to gain. So the comparison runs in `processes` (default 6) child processes,
// loading B first in every other one, and prints each one's median speedup
// of B over A and their geometric mean.

import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
// Kernel constants are const enums, erased from the builds: this file's compile writes them in.
import { IPPROTO, TCPHDR } from '../src/model/skb.js';
import { NF, NF_INET } from '../src/netfilter/hooks.js';

const MAX = 262144;
const CHUNK = 50_000;

type Chunk = (n: number) => void;

async function load(build: string): Promise<Chunk> {
  const url = (p: string): string => pathToFileURL(resolve(build, p)).href;
  const { Scheduler } = await import(url('src/model/scheduler.js'));
  const { RandomStream } = await import(url('src/model/random.js'));
  const skbm = await import(url('src/model/skb.js'));
  const { Conntrack } = await import(url('src/netfilter/conntrack/index.js'));
  const sim = new Scheduler();
  const ct = new Conntrack({
    scheduler: sim, random: new RandomStream(1, 'bench:conntrack'), printk: () => {}, hostName: 'bench',
    sysctl: { nf_conntrack_max: MAX, nf_conntrack_buckets: MAX }, eventLogSize: 0,
  });
  const state = (hook: number) => ({
    hook, inDev: 'eth0', outDev: '', inIfindex: 2, outIfindex: 0, now: 0, dropReason: 0, detail: '',
    rerouteNeeded: false, rulesEvaluated: 0, ctLookups: 0, ctNew: 0,
  });
  const skb = new skbm.Skb();
  skb.protocol = IPPROTO.TCP;
  skb.daddr = 0x0a000002;
  skb.dport = 80;
  skb.tcpFlags = TCPHDR.SYN;
  skb.window = 64240;
  skb.len = 60;
  // The same loop as conntrack_flows.ts, compiled afresh for this build.
  const body = `let i = 0;
    return function chunk(n) {
      for (const end = i + n; i < end; i++) {
        skbm.nfResetCt(skb);
        skb.saddr = (0x0b000000 + Math.floor(i / 60000)) | 0;
        skb.sport = 1024 + (i % 60000);
        skb.seq = (i * 2654435761) >>> 0;
        if (ct.nfConntrackIn(skb, pre) === accept) ct.nfConfirm(skb, input);
        if ((i & 255) === 255) sim.run(sim.now + 256 * 1000);
      }
    };`;
  const make = new Function('skbm', 'accept', 'skb', 'ct', 'pre', 'input', 'sim', body) as (...a: unknown[]) => Chunk;
  return make(skbm, NF.ACCEPT, skb, ct, state(NF_INET.PRE_ROUTING), state(NF_INET.LOCAL_IN), sim);
}

function timed(chunk: Chunk): number {
  const t0 = performance.now();
  chunk(CHUNK);
  return performance.now() - t0;
}

function quantile(xs: number[], q: number): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;
}

interface RunResult {
  a_flows_per_s: number;
  b_flows_per_s: number;
  speedup_median: number;
}

/** One process: both builds interleaved; `first` is the build loaded (and filled) first. */
async function compareInProcess(buildA: string, buildB: string, rounds: number, first: 'a' | 'b'): Promise<RunResult> {
  let a: Chunk;
  let b: Chunk;
  if (first === 'a') {
    a = await load(buildA);
    b = await load(buildB);
  } else {
    b = await load(buildB);
    a = await load(buildA);
  }
  // Fill both tables and let the JIT settle.
  a(2 * MAX);
  b(2 * MAX);
  const rateA: number[] = [];
  const rateB: number[] = [];
  const speedup: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let ta: number;
    let tb: number;
    if (r % 2 === 0) {
      ta = timed(a);
      tb = timed(b);
    } else {
      tb = timed(b);
      ta = timed(a);
    }
    rateA.push((CHUNK / ta) * 1000);
    rateB.push((CHUNK / tb) * 1000);
    speedup.push(ta / tb);
  }
  return {
    a_flows_per_s: Math.round(quantile(rateA, 0.5)),
    b_flows_per_s: Math.round(quantile(rateB, 0.5)),
    speedup_median: Number(quantile(speedup, 0.5).toFixed(3)),
  };
}

const CHILD_ENV = 'PKTPATH_CONNTRACK_AB_FIRST';
const [buildA, buildB, roundsArg, processesArg] = process.argv.slice(2);
if (!buildA || !buildB) {
  process.stderr.write('usage: node dist/bench/conntrack_ab.js <buildA> <buildB> [rounds] [processes]\n');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 20);
const first = process.env[CHILD_ENV];
if (first === 'a' || first === 'b') {
  process.stdout.write(`${JSON.stringify(await compareInProcess(buildA, buildB, rounds, first))}\n`);
} else {
  const processes = Number(processesArg ?? 6);
  const runs: RunResult[] = [];
  for (let i = 0; i < processes; i++) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), buildA, buildB, String(rounds)], {
      env: { ...process.env, [CHILD_ENV]: i % 2 === 0 ? 'a' : 'b' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) process.exit(child.status ?? 1);
    runs.push(JSON.parse(child.stdout) as RunResult);
  }
  const speedups = runs.map((r) => r.speedup_median);
  const geomean = Math.exp(speedups.reduce((sum, x) => sum + Math.log(x), 0) / speedups.length);
  process.stdout.write(`${JSON.stringify({
    name: 'conntrack-ab',
    a: buildA, b: buildB, rounds, processes,
    a_flows_per_s: runs.map((r) => r.a_flows_per_s),
    b_flows_per_s: runs.map((r) => r.b_flows_per_s),
    speedup_per_process: speedups,
    speedup_geomean: Number(geomean.toFixed(3)),
  })}\n`);
}
