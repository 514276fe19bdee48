// Splits one iptables-restore line into tokens the way xtables-restore's
// add_param_to_argv does: whitespace separates, double quotes group, a
// backslash escapes the next character inside quotes, single quotes are
// ordinary characters. With `shell`, single quotes group too (a typed command).

import { RuleSyntaxError, type Token } from './extension.js';

export function tokenize(line: string, shell = false): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && (line[i] === ' ' || line[i] === '\t' || line[i] === '\r' || line[i] === '\n')) i++;
    if (i >= n) break;
    const column = i + 1;
    let text = '';
    let quoted = false;
    while (i < n && (quoted || !(line[i] === ' ' || line[i] === '\t' || line[i] === '\r' || line[i] === '\n'))) {
      const c = line[i]!;
      if (c === '"' || (shell && c === "'" && !quoted && line.indexOf("'", i + 1) > 0)) {
        if (c === "'") {
          const end = line.indexOf("'", i + 1);
          text += line.slice(i + 1, end);
          i = end + 1;
          continue;
        }
        quoted = !quoted;
        i++;
        continue;
      }
      if (c === '\\' && quoted && i + 1 < n) {
        text += line[i + 1];
        i += 2;
        continue;
      }
      text += c;
      i++;
    }
    if (quoted) throw new RuleSyntaxError('unterminated quoted string', column);
    out.push({ text, column });
  }
  return out;
}
