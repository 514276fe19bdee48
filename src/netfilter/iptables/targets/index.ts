// The targets `-j NAME` can load besides the standard verdicts and user chains.

import type { ExtensionDef, Target } from '../extension.js';
import { checksumTarget } from './checksum.js';
import { ctTarget, notrackTarget } from './ct.js';
import { dscpTarget } from './dscp.js';
import { logTarget, traceTarget } from './log.js';
import { connmarkTarget, markTarget } from './mark.js';
import { dnatTarget, masqueradeTarget, redirectTarget, snatTarget } from './nat.js';
import { rejectTarget } from './reject.js';
import { tcpmssTarget } from './tcpmss.js';

export const TARGETS: ReadonlyMap<string, ExtensionDef<Target>> = new Map(
  [
    rejectTarget, logTarget, traceTarget, markTarget, connmarkTarget, checksumTarget, dnatTarget, snatTarget,
    masqueradeTarget, redirectTarget, ctTarget, notrackTarget, tcpmssTarget, dscpTarget,
  ].map((d) => [d.name, d]),
);
