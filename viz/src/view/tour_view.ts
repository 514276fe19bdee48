// The guided tour beside the pipeline: the teacher's note for the stage the
// packet has reached, with a link to the kernel function's source, and in
// predict mode the question to answer before the next event is revealed.

import type { TraceEvent } from '../trace/event.js';
import { STAGE_NOTES, elixirUrl, sourceIdent, KERNEL_VERSION } from '../tour/notes.js';
import type { Question } from '../tour/predict.js';
import { el, fill } from '../dom.js';

export class TourView {
  constructor(
    private readonly noteEl: HTMLElement,
    private readonly predictEl: HTMLElement,
    private readonly onAnswer: (choice: string) => void,
    private readonly onSkip: () => void,
  ) {}

  /** The stage's note, led by the scenario's own note for that stage when it has one. */
  renderNote(ev: TraceEvent | null, scenarioNotes: Readonly<Record<string, string>>): void {
    if (ev === null) {
      fill(this.noteEl, el('p', { class: 'empty' }, 'Step forward to follow the first packet.'));
      return;
    }
    const note = STAGE_NOTES[ev.stage];
    const own = scenarioNotes[`${ev.host}:${ev.stage}`] ?? scenarioNotes[ev.stage];
    const teacher = own !== undefined ? el('p', { class: 'teacher', 'data-scenario-note': ev.stage }, own) : null;
    const ident = sourceIdent(ev.stage, ev.fn);
    const link = el('a', { href: elixirUrl(ident), target: '_blank', rel: 'noopener', class: 'fn-link' },
      `${ident}() in Linux ${KERNEL_VERSION.slice(1)}`);
    if (!note) {
      fill(this.noteEl, el('h4', { 'data-note': ev.stage }, ev.stage), teacher, el('p', {}, ev.detail), el('p', {}, 'Source: ', link));
      return;
    }
    fill(this.noteEl,
      el('h4', { 'data-note': ev.stage }, `${ev.flow} step ${ev.step}: ${note.title}`),
      teacher,
      el('p', {}, note.what),
      el('p', { class: 'look' }, el('strong', {}, 'Look at: '), note.look),
      el('p', {}, 'Source: ', link));
  }

  renderPredict(active: boolean, waiting: boolean, q: Question | null, score: { right: number; asked: number },
    last: { correct: boolean; answer: string } | null): void {
    if (!active) {
      fill(this.predictEl);
      return;
    }
    const scoreLine = el('p', { class: 'score', 'data-score': `${score.right}/${score.asked}` },
      `Score: ${score.right} / ${score.asked}`);
    const lastLine = last
      ? el('p', { class: last.correct ? 'result right' : 'result wrong' },
          last.correct ? `✓ Right: ${last.answer}` : `✗ It was: ${last.answer}`)
      : null;
    if (!waiting || q === null) {
      fill(this.predictEl, scoreLine, lastLine, el('p', { class: 'note' }, 'Step forward (→) to get the next question.'));
      return;
    }
    const buttons = q.choices.map((c, k) => {
      const b = el('button', { type: 'button', class: 'choice', 'data-choice': c }, `${k + 1}. ${c}`);
      b.addEventListener('click', () => this.onAnswer(c));
      return b;
    });
    const skip = el('button', { type: 'button', class: 'skip' }, 'Reveal');
    skip.addEventListener('click', () => this.onSkip());
    fill(this.predictEl, scoreLine, lastLine, el('p', { class: 'question' }, q.prompt), el('div', { class: 'choices' }, ...buttons, skip));
    buttons[0]?.focus();
  }
}
