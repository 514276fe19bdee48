// `-m comment` (net/netfilter/xt_comment.c): always matches; carries text.

import {
  fail, optionTable, saveString,
  type ArgReader, type ExtensionDef, type Match, type RuleContext,
} from '../extension.js';

/** XT_MAX_COMMENT_LEN, including the terminating NUL. */
const XT_MAX_COMMENT_LEN = 256;

export class CommentMatch implements Match {
  readonly name = 'comment';
  readonly needsConntrack = false;
  comment = '';

  parse(_option: string, inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    if (inv) fail('comment: unexpected `!\'', args.optionToken);
    const tok = args.next();
    if (tok.text.length >= XT_MAX_COMMENT_LEN) fail(`comment: argument too long (max ${XT_MAX_COMMENT_LEN - 1})`, tok);
    this.comment = tok.text;
  }

  finalCheck(): void {}

  match(): boolean {
    return true;
  }

  save(): string {
    return ' --comment' + saveString(this.comment);
  }

  list(_numeric: boolean): string {
    return ` /* ${this.comment} */`;
  }
}

export const commentMatch: ExtensionDef<Match> = {
  name: 'comment',
  options: optionTable({ comment: 1 }),
  create: () => new CommentMatch(),
};
