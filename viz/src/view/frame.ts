// What every view draws from: the trace, the position and the folded state.
// Views are pure functions of a Frame, which is what makes time travel exact.

import type { TraceEvent } from '../trace/event.js';
import type { VizState } from '../trace/fold.js';
import type { TraceIndex } from '../trace/trace_index.js';

export interface Frame {
  index: TraceIndex;
  /** Index of the event shown, -1 before the first. */
  pos: number;
  /** The event at pos, or null before the first. */
  ev: TraceEvent | null;
  state: VizState;
  /** State one event earlier, for deltas (null at the start). */
  prev: VizState | null;
  /** The packet followed: pinned, or the current event's. */
  skb: number | null;
  /** Whether moves may be animated (single steps, motion allowed). */
  animate: boolean;
  /** Animation length for a single move, ms. */
  moveMs: number;
}
