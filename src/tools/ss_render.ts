// ss's column layout (iproute2 6.1 misc/ss.c: out/field_next/render). Each
// field is a token; with stdout not a terminal (render_screen_width = -1) a
// column is as wide as its longest *flushed* token plus its left delimiter,
// so, as in ss, the last row's last token never widens its column. Text
// after the addresses (users:, -e details, the -i/-m second line) belongs to
// the Process column.

export const ALIGN_LEFT = 0;
export const ALIGN_RIGHT = 2;

export interface Column {
  readonly align: number;
  readonly header: string;
  readonly ldelim: string;
  disabled: boolean;
}

/** ss's columns, in order: Netid State Recv-Q Send-Q Local:Port Peer:Port Process, then the unnamed last one. */
export function ssColumns(): Column[] {
  return [
    { align: ALIGN_LEFT, header: 'Netid', ldelim: '', disabled: false },
    { align: ALIGN_LEFT, header: 'State', ldelim: ' ', disabled: false },
    { align: ALIGN_LEFT, header: 'Recv-Q', ldelim: ' ', disabled: false },
    { align: ALIGN_LEFT, header: 'Send-Q', ldelim: ' ', disabled: false },
    { align: ALIGN_RIGHT, header: 'Local Address:', ldelim: ' ', disabled: false },
    { align: ALIGN_LEFT, header: 'Port', ldelim: '', disabled: false },
    { align: ALIGN_RIGHT, header: 'Peer Address:', ldelim: ' ', disabled: false },
    { align: ALIGN_LEFT, header: 'Port', ldelim: '', disabled: false },
    { align: ALIGN_LEFT, header: 'Process', ldelim: '', disabled: false },
    { align: ALIGN_LEFT, header: '', ldelim: '', disabled: false },
  ];
}

/**
 * Lays out the header and rows. `rows[i][c]` is the text of column c (all
 * columns, disabled ones ignored; the last column is always empty).
 */
export function renderColumns(cols: Column[], rows: string[][], header: boolean): string {
  const last = cols.length - 1;
  const enabled = cols.map((_, i) => i).filter((i) => !cols[i]!.disabled);
  // The token stream as ss builds it: header tokens up to (not including) the
  // last column, then each row's tokens; the row's last column token is only
  // emitted (flushed) when another row follows.
  const tokens: Array<{ col: number; text: string; flushed: boolean }> = [];
  if (header) for (const c of enabled) if (c !== last) tokens.push({ col: c, text: cols[c]!.header, flushed: true });
  rows.forEach((row, r) => {
    if (header || r > 0) {
      if (tokens.length > 0) tokens.push({ col: last, text: '', flushed: true });
    }
    for (const c of enabled) if (c !== last) tokens.push({ col: c, text: row[c] ?? '', flushed: true });
  });
  if (tokens.length > 0) tokens[tokens.length - 1]!.flushed = false;
  const maxLen = cols.map(() => 0);
  for (const t of tokens) if (t.flushed && t.text.length > maxLen[t.col]!) maxLen[t.col] = t.text.length;
  const width = cols.map(() => 0);
  let first = true;
  for (const c of enabled) {
    width[c] = !first && maxLen[c]! ? maxLen[c]! + cols[c]!.ldelim.length : maxLen[c]!;
    if (width[c]) first = false;
  }
  let out = '';
  let lineStarted = false;
  for (const t of tokens) {
    const f = cols[t.col]!;
    let printed = 0;
    if (lineStarted) {
      out += f.ldelim;
      printed = f.ldelim.length;
    }
    lineStarted = true;
    if (width[t.col] && f.align === ALIGN_RIGHT) {
      const s = width[t.col]! - t.text.length - printed;
      if (s > 0) {
        out += ' '.repeat(s);
        printed += s;
      }
    }
    out += t.text;
    printed += t.text.length;
    if (width[t.col] && f.align === ALIGN_LEFT) {
      const s = width[t.col]! - printed;
      if (s > 0) out += ' '.repeat(s);
    }
    if (t.col === last) {
      out += '\n';
      lineStarted = false;
    }
  }
  if (lineStarted) out += '\n';
  return out;
}
