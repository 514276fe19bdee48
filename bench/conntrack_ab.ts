// Interleaved A/B of the conntrack-flows workload between two builds, for
// judging a change on a machine whose speed drifts by 2x over minutes:
//
//   node dist/bench/conntrack_ab.js <buildA> <buildB> [rounds]
//
// where each build is a directory holding a compiled `src/` (this repo's
// `dist`, or `tsc --outDir` of another commit's worktree). Both tables are
// filled to nf_conntrack_max 262144, then fed alternately 50,000 SYNs at a
// time (A first in even rounds, B first in odd ones), so both see the same
// drift. Prints each build's median rate and the median of B's per-round
// speedup over A with its quartiles. Each build runs its own copy of the
// driving loop, so the two never share the JIT's type feedback.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const MAX = 262144;
const CHUNK = 50_000;

type Chunk = (n: number) => void;

async function load(build: string): Promise<Chunk> {
  const url = (p: string): string => pathToFileURL(resolve(build, p)).href;
  const { Scheduler } = await import(url('src/model/scheduler.js'));
  const { RandomStream } = await import(url('src/model/random.js'));
  const skbm = await import(url('src/model/skb.js'));
  const hooks = await import(url('src/netfilter/hooks.js'));
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
  skb.protocol = skbm.IPPROTO_TCP;
  skb.daddr = 0x0a000002;
  skb.dport = 80;
  skb.tcpFlags = skbm.TCP_SYN;
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
        if (ct.nfConntrackIn(skb, pre) === hooks.NF_ACCEPT) ct.nfConfirm(skb, input);
        if ((i & 255) === 255) sim.run(sim.now + 256 * 1000);
      }
    };`;
  const make = new Function('skbm', 'hooks', 'skb', 'ct', 'pre', 'input', 'sim', body) as (...a: unknown[]) => Chunk;
  return make(skbm, hooks, skb, ct, state(hooks.NF_INET_PRE_ROUTING), state(hooks.NF_INET_LOCAL_IN), sim);
}

function timed(chunk: Chunk): number {
  const t0 = performance.now();
  chunk(CHUNK);
  return performance.now() - t0;
}

function quantile(xs: number[], q: number): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;
}

const [buildA, buildB, roundsArg] = process.argv.slice(2);
if (!buildA || !buildB) {
  process.stderr.write('usage: node dist/bench/conntrack_ab.js <buildA> <buildB> [rounds]\n');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 40);
const a = await load(buildA);
const b = await load(buildB);
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
process.stdout.write(`${JSON.stringify({
  name: 'conntrack-ab',
  a: buildA, b: buildB, rounds,
  a_flows_per_s: Math.round(quantile(rateA, 0.5)),
  b_flows_per_s: Math.round(quantile(rateB, 0.5)),
  speedup_median: Number(quantile(speedup, 0.5).toFixed(3)),
  speedup_q1: Number(quantile(speedup, 0.25).toFixed(3)),
  speedup_q3: Number(quantile(speedup, 0.75).toFixed(3)),
})}\n`);
