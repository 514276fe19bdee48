// The simulation off the page's thread: compiles and runs a scenario and posts
// its trace back, so a run of seconds leaves the page drawing and answering.
// The world stays here (it does not survive structured cloning); the page
// re-runs up to a moment itself when the terminal or counters need one.

import { compileScenario, simulateCompiled } from '../../../src/index.js';
import { runScenario } from './run_scenario.js';
import type { SimReply, SimRequest } from './sim_protocol.js';

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<SimRequest>) => void) | null;
  postMessage(reply: SimReply): void;
};

scope.onmessage = (e) => {
  const req = e.data;
  const t0 = performance.now();
  let reply: SimReply;
  try {
    const { events } = runScenario({ compileScenario, simulateCompiled }, req);
    reply = { id: req.id, ok: true, events, ms: performance.now() - t0 };
  } catch (err) {
    reply = { id: req.id, ok: false, message: (err as Error).message };
  }
  scope.postMessage(reply);
};
