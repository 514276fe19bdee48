// Queue occupancy named in a trace event's human `detail`, e.g. "backlog 3/1000",
// "rx_ring 12/256", "count 5/262144". Each "<name> <n>/<max>" pair is one gauge.

export interface GaugeReading {
  label: string;
  value: number;
  max: number;
}

const GAUGE = /([A-Za-z_][\w.-]*)[ =:]+(\d+)\s*\/\s*(\d+)/g;

export function parseGauges(detail: string): GaugeReading[] {
  if (detail.indexOf('/') < 0) return [];
  const out: GaugeReading[] = [];
  GAUGE.lastIndex = 0;
  for (let m = GAUGE.exec(detail); m !== null; m = GAUGE.exec(detail)) {
    const max = Number(m[3]);
    if (max > 0) out.push({ label: m[1]!, value: Number(m[2]), max });
  }
  return out;
}

/** `key=value` pairs in a detail string, in order, for the inspector's field table. */
export function parseFields(detail: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /([A-Za-z_][\w.]*)=("[^"]*"|\S+)/g;
  for (let m = re.exec(detail); m !== null; m = re.exec(detail)) {
    const v = m[2]!;
    out.push([m[1]!, v.startsWith('"') ? v.slice(1, -1) : v]);
  }
  return out;
}
