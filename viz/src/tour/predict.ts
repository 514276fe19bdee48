// Predict mode: before the next event is shown, the learner guesses it: which
// stage comes next, which verdict a hook gives, or whether the packet dies.
// Questions and their choices are a pure function of the trace and position.

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
