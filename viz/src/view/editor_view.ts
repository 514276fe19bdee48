// The scenario editor: a textarea with a line-number gutter; validation errors
// from parseScenario are marked in the gutter at their line, shown inline
// under that line, and listed below with line:column and the key path.

import type { ScenarioError } from '../model/model_api.js';
import { el, fill } from '../dom.js';

export class EditorView {
  private errors: ScenarioError[] = [];
  private lineHeight = 18;

  constructor(
    private readonly textarea: HTMLTextAreaElement,
    private readonly gutter: HTMLElement,
    private readonly overlay: HTMLElement,
    private readonly list: HTMLElement,
    onChange: (text: string) => void,
  ) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    textarea.addEventListener('input', () => {
      this.renderGutter();
      clearTimeout(timer);
      timer = setTimeout(() => onChange(textarea.value), 250);
    });
    textarea.addEventListener('scroll', () => this.sync());
  }

  get text(): string {
    return this.textarea.value;
  }

  setText(text: string): void {
    this.textarea.value = text;
    this.setErrors([]);
  }

  setErrors(errors: ScenarioError[]): void {
    this.errors = errors;
    const cs = getComputedStyle(this.textarea);
    const lh = parseFloat(cs.lineHeight);
    if (Number.isFinite(lh)) this.lineHeight = lh;
    this.renderGutter();
    this.renderOverlay();
    if (errors.length === 0) {
      fill(this.list, el('li', { class: 'ok' }, 'No errors.'));
      this.list.setAttribute('data-errors', '0');
      return;
    }
    this.list.setAttribute('data-errors', String(errors.length));
    fill(this.list, ...errors.map((e) => {
      const b = el('button', { type: 'button' }, `line ${e.line}:${e.column}${e.path ? ` ${e.path}` : ''}: ${e.message}`);
      b.addEventListener('click', () => this.goTo(e.line, e.column));
      return el('li', { 'data-line': e.line }, b);
    }));
  }

  private goTo(line: number, column: number): void {
    const lines = this.textarea.value.split('\n');
    let offset = 0;
    for (let k = 0; k < line - 1 && k < lines.length; k++) offset += lines[k]!.length + 1;
    offset += Math.max(0, column - 1);
    this.textarea.focus();
    this.textarea.setSelectionRange(offset, offset);
  }

  private renderGutter(): void {
    const n = this.textarea.value.split('\n').length;
    const bad = new Set(this.errors.map((e) => e.line));
    const rows: HTMLElement[] = [];
    for (let k = 1; k <= n; k++) {
      rows.push(el('div', { class: bad.has(k) ? 'ln bad' : 'ln', 'data-line': k }, bad.has(k) ? `⚠ ${k}` : String(k)));
    }
    fill(this.gutter, ...rows);
    this.sync();
  }

  /** One message per erroneous line, placed just below that line. */
  private renderOverlay(): void {
    const byLine = new Map<number, ScenarioError[]>();
    for (const e of this.errors) byLine.set(e.line, [...(byLine.get(e.line) ?? []), e]);
    fill(this.overlay, ...[...byLine].map(([line, es]) =>
      el('div', { class: 'editor-error', 'data-line': line, style: `top:${line * this.lineHeight + 4}px`, role: 'alert' },
        es.map((e) => `${line}:${e.column} ${e.message}`).join(' · '))));
    this.sync();
  }

  private sync(): void {
    this.gutter.scrollTop = this.textarea.scrollTop;
    this.overlay.style.transform = `translateY(${-this.textarea.scrollTop}px)`;
  }
}
