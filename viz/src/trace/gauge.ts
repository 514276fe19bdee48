// Queue occupancy named in a trace event's human `detail`, e.g.
// "input_pkt_queue 3/1000", "ring holds 12/256", "rmem 2304/212992".

export interface GaugeReading {
  label: string;
  value: number;
  max: number;
}

const PAIR = /(\d+)\s*\/\s*(\d+)/g;
/** Words between a queue's name and its numbers: "ring holds 1/256", "rmem is 5/10". */
const FILLER = new Set(['holds', 'hold', 'is', 'at', 'now', 'of', 'has', 'used']);
const WORD = /([A-Za-z_][\w.-]*)[\s:=]*$/;

/** Each "<name> <n>/<max>" in the text, the name being the nearest meaningful word before it. */
export function parseGauges(detail: string): GaugeReading[] {
  if (detail.indexOf('/') < 0) return [];
  const out: GaugeReading[] = [];
  PAIR.lastIndex = 0;
  for (let m = PAIR.exec(detail); m !== null; m = PAIR.exec(detail)) {
    const max = Number(m[2]);
    if (!(max > 0)) continue;
    let before = detail.slice(0, m.index);
    let label = '';
    for (let k = 0; k < 3 && label === ''; k++) {
      const w = WORD.exec(before);
      if (w === null) break;
      if (FILLER.has(w[1]!)) before = before.slice(0, w.index);
      else label = w[1]!;
    }
    if (label !== '') out.push({ label, value: Number(m[1]), max });
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
