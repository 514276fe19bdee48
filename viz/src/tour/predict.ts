// Predict mode: before the next event is shown, the learner guesses it: which
// stage comes next, which verdict a hook gives, whether the packet dies, or on
// which CPU it runs when it moves to another one (RPS/RFS steering, the app
// woken on another CPU, TX completion on the IRQ's CPU). Questions and their
// choices are a pure function of the trace and position.

import { ALL_BOXES } from '../trace/layout.js';
import { isDrop } from '../trace/layout.js';
import type { TraceIndex } from '../trace/trace_index.js';

export interface Question {
  prompt: string;
  choices: string[];
  answer: string;
}

const STAGE_ORDER = ALL_BOXES.map((b) => b.slug);

/** The question for revealing event `position + 1`, or null at the end. */
export function questionFor(index: TraceIndex, position: number): Question | null {
  const next = position + 1;
  if (next >= index.length) return null;
  const ev = index.events[next]!;
  const who = `packet ${ev.skb} on ${ev.host}`;
  if (ev.verdict !== undefined && ev.stage.startsWith('nf-')) {
    const choices = ['accept', 'drop'];
    if (!choices.includes(ev.verdict)) choices.push(ev.verdict);
    return { prompt: `${who} reaches ${ev.stage}. Which verdict?`, choices, answer: ev.verdict };
  }
  const cpu = cpuQuestion(index, next, who);
  if (cpu !== null) return cpu;
  if (next % 3 === 2) {
    return {
      prompt: `Is ${who} dropped at its next step?`,
      choices: ['yes', 'no'],
      answer: isDrop(ev) ? 'yes' : 'no',
    };
  }
  return { prompt: `Which stage does ${who} reach next?`, choices: stageChoices(ev.stage, next), answer: ev.stage };
}

/** The right stage and three neighbours on the pipeline, in pipeline order. */
function stageChoices(stage: string, salt: number): string[] {
  const at = STAGE_ORDER.indexOf(stage);
  const pool = at < 0 ? STAGE_ORDER.slice(0, 3) : [];
  if (at >= 0) {
    const offsets = salt % 2 === 0 ? [-1, 1, 2, -2, 3] : [1, -1, -2, 2, 3];
    for (const o of offsets) {
      const s = STAGE_ORDER[at + o];
      if (s !== undefined && s !== stage && !pool.includes(s)) pool.push(s);
      if (pool.length === 3) break;
    }
  }
  const choices = [...pool, stage];
  const rank = (s: string): number => (STAGE_ORDER.indexOf(s) < 0 ? 99 : STAGE_ORDER.indexOf(s));
  return choices.sort((a, b) => rank(a) - rank(b));
}

/** At most this many CPUs are offered as choices. */
const CPU_CHOICES = 4;

/**
 * "Which CPU?" when the packet's next event on this host runs on another CPU
 * than its previous one, and the host was seen on more than one CPU.
 */
function cpuQuestion(index: TraceIndex, next: number, who: string): Question | null {
  const ev = index.events[next]!;
  if (ev.cpu < 0) return null;
  let prev = index.prevOfSkb(ev.skb, next);
  while (prev >= 0 && index.events[prev]!.host !== ev.host) prev = index.prevOfSkb(ev.skb, prev);
  if (prev < 0 || index.events[prev]!.cpu === ev.cpu) return null;
  const seen = (index.cpus.get(ev.host) ?? []).filter((c) => c >= 0);
  if (seen.length < 2) return null;
  // The CPUs nearest the answer, so a 64-CPU host still offers four choices around it.
  const near = [...seen].sort((a, b) => Math.abs(a - ev.cpu) - Math.abs(b - ev.cpu) || a - b).slice(0, CPU_CHOICES);
  return {
    prompt: `${who} was on CPU ${index.events[prev]!.cpu}; its next step is ${ev.stage}. On which CPU does it run?`,
    choices: near.sort((a, b) => a - b).map((c) => `CPU ${c}`),
    answer: `CPU ${ev.cpu}`,
  };
}
