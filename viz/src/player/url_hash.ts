// The moment a link reopens: `#scenario=NAME&seed=N&pos=I&skb=S`. A trace
// loaded from disk cannot be reopened by URL, so its hash carries only `pos`.

export interface Moment {
  scenario?: string;
  seed?: number;
  /** Event index shown, -1 before the first. */
  pos?: number;
  /** Selected packet id. */
  skb?: number;
}

export function parseHash(hash: string): Moment {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const m: Moment = {};
  const scenario = p.get('scenario');
  if (scenario) m.scenario = scenario;
  const seed = intParam(p.get('seed'));
  if (seed !== undefined) m.seed = seed;
  const pos = intParam(p.get('pos'));
  if (pos !== undefined) m.pos = pos;
  const skb = intParam(p.get('skb'));
  if (skb !== undefined) m.skb = skb;
  return m;
}

export function formatHash(m: Moment): string {
  const p = new URLSearchParams();
  if (m.scenario !== undefined) p.set('scenario', m.scenario);
  if (m.seed !== undefined) p.set('seed', String(m.seed));
  if (m.pos !== undefined) p.set('pos', String(m.pos));
  if (m.skb !== undefined) p.set('skb', String(m.skb));
  return `#${p.toString()}`;
}

function intParam(v: string | null): number | undefined {
  if (v === null || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}
