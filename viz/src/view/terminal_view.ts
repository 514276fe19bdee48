// A terminal panel: a root prompt on one simulated host at the current moment,
// as `pktpath shell` gives. Commands go to the model's runCommand when the
// model exports one; otherwise the panel says so.

import { el, fill } from '../dom.js';

export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type CommandRunner = (host: string, line: string) => CommandOutput | null;

export class TerminalView {
  private history: string[] = [];
  private back = 0;

  constructor(
    private readonly form: HTMLFormElement,
    private readonly input: HTMLInputElement,
    private readonly hostSelect: HTMLSelectElement,
    private readonly output: HTMLElement,
    private readonly prompt: HTMLElement,
    run: CommandRunner,
  ) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const line = input.value.trim();
      if (line === '') return;
      this.history.push(line);
      this.back = 0;
      input.value = '';
      const host = hostSelect.value;
      this.print(el('span', { class: 'echo' }, `root@${host}:~# ${line}`));
      const out = run(host, line);
      if (out === null) {
        this.print(el('span', { class: 'stderr' }, 'command not available yet: the model does not export runCommand'));
        return;
      }
      if (out.stdout) this.print(el('span', { class: 'stdout' }, out.stdout.replace(/\n$/, '')));
      if (out.stderr) this.print(el('span', { class: 'stderr' }, out.stderr.replace(/\n$/, '')));
      this.output.setAttribute('data-exit', String(out.exitCode));
    });
    input.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
      e.preventDefault();
      e.stopPropagation();
      this.back = Math.max(0, Math.min(this.history.length, this.back + (e.key === 'ArrowUp' ? 1 : -1)));
      input.value = this.back === 0 ? '' : this.history[this.history.length - this.back]!;
    });
    hostSelect.addEventListener('change', () => this.updatePrompt());
  }

  setHosts(hosts: readonly string[]): void {
    const current = this.hostSelect.value;
    fill(this.hostSelect, ...hosts.map((h) => el('option', { value: h, selected: h === current }, h)));
    this.updatePrompt();
  }

  private updatePrompt(): void {
    this.prompt.textContent = `root@${this.hostSelect.value || '?'}:~#`;
  }

  private print(node: HTMLElement): void {
    this.output.append(node, document.createTextNode('\n'));
    this.output.scrollTop = this.output.scrollHeight;
  }
}
