// The machine's cost of a dependent cache (and TLB) miss: a pointer chase
// through a random cycle over an Int32Array the size of conntrack's records
// at nf_conntrack_max 262144. conntrack-flows is bound by such misses, so
// this line says how fast that workload can be on the machine at hand.

export interface MemoryLatencyResult {
  name: string;
  bytes: number;
  ns_per_dependent_read: number;
  ns_per_independent_read: number;
}

/** xorshift32: a fixed permutation, the same on every run. */
function shuffle(a: Int32Array): void {
  let s = 0x9e3779b9;
  for (let i = a.length - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/** Where the reads' results go, so the compiler keeps the loops. */
export let memoryLatencySink = 0;

export function memoryLatency(bytes = 72 * 1024 * 1024, reads = 4_000_000): MemoryLatencyResult {
  const words = bytes >> 2;
  const stride = 16; // one 64-byte line per node
  const nodes = words / stride;
  const order = new Int32Array(nodes);
  for (let i = 0; i < nodes; i++) order[i] = i * stride;
  shuffle(order);
  const mem = new Int32Array(words);
  for (let i = 0; i < nodes; i++) mem[order[i]!] = order[(i + 1) % nodes]!;
  let p = order[0]!;
  let t0 = performance.now();
  for (let i = 0; i < reads; i++) p = mem[p]!;
  const dependent = (performance.now() - t0) * 1e6 / reads;
  let acc = p;
  t0 = performance.now();
  for (let i = 0; i < reads; i++) acc ^= mem[order[i % nodes]!]!;
  const independent = (performance.now() - t0) * 1e6 / reads;
  memoryLatencySink ^= acc;
  return {
    name: 'memory-latency',
    bytes,
    ns_per_dependent_read: Number(dependent.toFixed(1)),
    ns_per_independent_read: Number(independent.toFixed(1)),
  };
}
