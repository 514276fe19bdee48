// A log-linear latency histogram (HdrHistogram's layout, coarser): values in
// ns fall into 32 sub-buckets per power of two, so a percentile is within about
// 3 % of the true value while recording costs a Math.clz32 and an increment.
// The world keeps one, off by default; the app-recv paths (tcp_recvmsg,
// udp_recvmsg) fill it with skb.tstamp → read() delays and bytes read.

const SUB_BITS = 5;
const SUB = 1 << SUB_BITS;
/** Values up to 2^42 ns (73 minutes); larger ones land in the last bucket. */
const MAX_EXP = 42;

export class LatencyHistogram {
  readonly counts = new Float64Array((MAX_EXP + 1) * SUB);
  count = 0;
  /** Application bytes read. */
  bytes = 0;

  /** Records one read of `bytes` whose data was created `ns` ago. */
  record(ns: number, bytes: number): void {
    this.bytes += bytes;
    this.count++;
    this.counts[bucketOf(ns < 0 ? 0 : ns)]!++;
  }

  /** The value below which `p` (0..1) of the records fall, in ns (the bucket's upper edge); 0 when empty. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const target = Math.max(1, Math.ceil(p * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return bucketUpper(i);
    }
    return bucketUpper(this.counts.length - 1);
  }
}

function bucketOf(ns: number): number {
  const v = Math.floor(ns);
  if (v < SUB) return v;
  const exp = v >= 2 ** 31 ? Math.min(MAX_EXP, Math.floor(Math.log2(v))) : 31 - Math.clz32(v);
  const sub = Math.floor(v / 2 ** (exp - SUB_BITS)) - SUB;
  return Math.min((exp - SUB_BITS + 1) * SUB + Math.min(sub, SUB - 1), (MAX_EXP + 1) * SUB - 1);
}

function bucketUpper(i: number): number {
  if (i < SUB) return i;
  const exp = Math.floor(i / SUB) + SUB_BITS - 1;
  const sub = i % SUB;
  return (SUB + sub + 1) * 2 ** (exp - SUB_BITS) - 1;
}
