// The visualiser page: wires the scenario picker, the model, the player state
// machine and the views. Everything drawn is derived from (trace, position,
// followed packet); the URL hash records those so a link reopens the moment.

import { createActor } from 'xstate';
import { playerMachine, SPEEDS } from './player/player_machine.js';
import { formatHash, parseHash } from './player/url_hash.js';
import { TraceIndex } from './trace/trace_index.js';
import { parseTraceText } from './trace/load.js';
import type { TraceEvent } from './trace/event.js';
import type { VizState } from './trace/fold.js';
import {
  loadModel, scenarioHosts, scenarioLinks, scenarioNotes, type LinkDef, type ModelApi,
} from './model/model_api.js';
import { SimClient } from './model/sim_client.js';
import type { RunRequest } from './model/run_scenario.js';
import { pcapScenario } from './model/pcap_scenario.js';
import { parseSweepJson } from './sweep/sweep_data.js';
import { SweepView } from './view/sweep_view.js';
import { PipelineView } from './view/pipeline_view.js';
import { TimelineView } from './view/timeline_view.js';
import { CpuView } from './view/cpu_view.js';
import { InspectorView } from './view/inspector_view.js';
import { CountersView, type MomentCounters } from './view/counters_view.js';
import { TourView } from './view/tour_view.js';
import { EditorView } from './view/editor_view.js';
import { TerminalView, type CommandOutput } from './view/terminal_view.js';
import { questionFor } from './tour/predict.js';
import { hostCounters, toCommandOutput } from './model/world.js';
import type { Frame } from './view/frame.js';
import { byId, el, fill, formatNs } from './dom.js';

const SCENARIOS: Record<string, string> = Object.fromEntries(
  Object.entries(import.meta.glob<string>('../../scenarios/*.yaml', { query: '?raw', import: 'default', eager: true }))
    .map(([path, text]) => [path.replace(/^.*\//, '').replace(/\.yaml$/, ''), text])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
);

/** Where the trace on screen came from. */
type Source =
  | {
      kind: 'scenario'; name: string; fileName: string; text: string; seed: number;
      /** Files the scenario names (a replayed pcap), by name. */
      files: ReadonlyMap<string, Uint8Array>;
      /** Whether a link can reopen it: only the shipped scenarios can. */
      shareable: boolean;
      /** Wall time the run took, to decide whether re-running to a moment is cheap. */
      runMs: number;
      notes: Record<string, string>;
    }
  | { kind: 'file'; name: string };

interface Metrics {
  /** Wall time of the last trace load (parse + index + first render), ms. */
  loadMs: number;
  /** Wall time of each render, ms (most recent last, capped). */
  renders: number[];
  /** Wall time of the last simulation run, ms, and the thread it ran on. */
  simMs: number;
  simThread: 'worker' | 'main' | '';
}

const metrics: Metrics = { loadMs: 0, renders: [], simMs: 0, simThread: '' };
const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;

let api: ModelApi | null = null;
let modelMissing: string | null = null;
let index: TraceIndex | null = null;
let source: Source | null = null;
let pinned: number | null = null;
let lastAnswer: { correct: boolean; answer: string } | null = null;
let lastRenderedPos = -2;
let worldCache: { t: number; world: unknown } | null = null;
let lastMoment: MomentCounters | null = null;
/** Runs shorter than this are re-run to show the model's counters at each moment viewed. */
const MOMENT_RERUN_MS = 400;
/** Files dropped on the page that scenarios may name (a pcap's bytes by its file name). */
const files = new Map<string, Uint8Array>();

// The trace comes from a Web Worker so long runs leave the page responsive;
// re-runs to a moment (terminal, counters) stay on this thread, which keeps the world.
const sim = new SimClient((req) => {
  const t0 = performance.now();
  try {
    return { id: 0, ok: true, events: api!.run!(req).events, ms: performance.now() - t0 };
  } catch (e) {
    return { id: 0, ok: false, message: (e as Error).message };
  }
});

const status = byId('status');
const scenarioSelect = byId<HTMLSelectElement>('scenario-select');
const seedInput = byId<HTMLInputElement>('seed');
const speedSelect = byId<HTMLSelectElement>('speed');
const followInput = byId<HTMLInputElement>('follow');
const playButton = byId<HTMLButtonElement>('play');
const predictToggle = byId<HTMLInputElement>('predict-mode');

const pipeline = new PipelineView(byId('pipeline') as unknown as SVGSVGElement);
const timeline = new TimelineView(byId('timeline-strip') as unknown as SVGSVGElement, byId<HTMLInputElement>('scrubber'),
  byId('position'), (p) => actor.send({ type: 'SEEK', position: p }));
const cpuView = new CpuView(byId('cpu') as unknown as SVGSVGElement);
const inspector = new InspectorView(byId('packet'), byId('decisions'), byId('journey'),
  (p) => actor.send({ type: 'SEEK', position: p }));
const counters = new CountersView(byId('counters'), byId('snmp'));
const tour = new TourView(byId('note'), byId('predict'), answer, () => actor.send({ type: 'SKIP' }));
const editor = new EditorView(byId<HTMLTextAreaElement>('editor'), byId('editor-gutter'), byId('editor-overlay'),
  byId('editor-errors'), validate);
const terminal = new TerminalView(byId<HTMLFormElement>('terminal-form'), byId<HTMLInputElement>('terminal-line'),
  byId<HTMLSelectElement>('terminal-host'), byId('terminal-output'), byId('terminal-prompt'), runCommand);

const sweepView = new SweepView(byId('sweep'));
const actor = createActor(playerMachine);
actor.subscribe(() => render());
actor.start();

/** Counts status messages, so a run that finishes late does not cover a newer one. */
let statusGen = 0;

function setStatus(text: string, error = false): void {
  statusGen++;
  status.textContent = text;
  status.classList.toggle('error', error);
}

// ---- loading ---------------------------------------------------------------

function showTrace(events: TraceEvent[], hostOrder: string[], links: LinkDef[], src: Source, pos = -1): void {
  const t0 = performance.now();
  index = new TraceIndex(events, hostOrder);
  source = src;
  worldCache = null;
  pipeline.setTopology(index.hosts, links);
  timeline.setTrace(index);
  cpuView.setTrace(index);
  terminal.setHosts(index.hosts);
  lastMoment = null;
  counters.renderMoment(null);
  lastRenderedPos = -2;
  lastAnswer = null;
  actor.send({ type: 'LOAD', length: events.length, position: pos });
  metrics.loadMs = performance.now() - t0;
  document.body.dataset.events = String(events.length);
  warmCheckpoints(index);
}

/** Folds checkpoints in small slices between frames so scrubbing far is instant later. */
function warmCheckpoints(ix: TraceIndex): void {
  const slice = (): void => {
    if (ix !== index || ix.warm(8)) return;
    setTimeout(slice, 16);
  };
  setTimeout(slice, 50);
}

function openScenario(name: string, seed: number, pos = -1): void {
  const text = SCENARIOS[name];
  if (text === undefined) {
    setStatus(`No scenario named "${name}" in scenarios/.`, true);
    return;
  }
  scenarioSelect.value = name;
  seedInput.value = String(seed);
  editor.setText(text);
  void runText(text, `scenarios/${name}.yaml`, name, seed, pos, true);
}

const readFile = (p: string): Uint8Array | null => files.get(p) ?? null;

async function runText(text: string, fileName: string, name: string, seed: number, pos = -1, shareable = false): Promise<void> {
  if (api === null) return;
  const parsed = api.parseScenario(text, fileName, { readFile });
  editor.setErrors(parsed.ok ? [] : parsed.errors);
  if (!parsed.ok) {
    const first = parsed.errors[0]!;
    setStatus(`${fileName}:${first.line}:${first.column}: ${first.message}` +
      (parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more; see the editor)` : ''), true);
    return;
  }
  if (!api.run) {
    setStatus(`Cannot run ${name}: ${modelMissing ?? 'the model cannot run scenarios'}. Load a trace file instead.`, true);
    return;
  }
  setStatus(`Running ${name} (seed ${seed})…`);
  const runningGen = statusGen;
  document.body.dataset.running = 'true';
  const req: RunRequest = { text, fileName, seed, files: new Map(files) };
  const reply = await sim.run(req);
  if ('superseded' in reply) return;
  delete document.body.dataset.running;
  metrics.simThread = sim.thread;
  if (!reply.ok) {
    setStatus(`${fileName}: the simulation failed: ${reply.message}`, true);
    return;
  }
  metrics.simMs = reply.ms;
  if (reply.events.length === 0) {
    setStatus(`${name} ran but produced no trace events.`, true);
    return;
  }
  const hosts = scenarioHosts(parsed.scenario);
  showTrace(reply.events, hosts, scenarioLinks(parsed.scenario), {
    kind: 'scenario', name, fileName, text, seed, files: req.files, shareable, runMs: reply.ms,
    notes: scenarioNotes(parsed.scenario),
  }, pos);
  // Something said since (a sweep or file loaded meanwhile, perhaps with an error) keeps the status line.
  if (statusGen === runningGen) setStatus(`${name} (seed ${seed}): ${reply.events.length} events, ${index!.dropAt.length} drop(s).`);
}

function validate(text: string): void {
  if (api === null) return;
  const name = scenarioSelect.value || 'edited';
  const parsed = api.parseScenario(text, `scenarios/${name}.yaml`, { readFile });
  editor.setErrors(parsed.ok ? [] : parsed.errors);
}

/** Draws a sweep's results (`pktpath sweep --json`) as grouped bar charts, one per metric. */
async function openSweep(file: File): Promise<void> {
  const d = parseSweepJson(await file.text());
  if (typeof d === 'string') {
    setStatus(`${file.name}: ${d}`, true);
    return;
  }
  sweepView.render(d, file.name);
  setStatus(`${file.name}: ${d.experiment}, ${d.rows.length} variants, ${d.metrics.length} metrics charted.`);
}

/** Replays a capture from disk into one simulated host; a corrupt file's reader message is shown as text. */
async function openPcap(file: File): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const built = pcapScenario(file.name, bytes);
  if (!built.ok) {
    setStatus(`${file.name}: ${built.message}`, true);
    return;
  }
  cancelRun();
  files.set(file.name, bytes);
  pinned = null;
  followInput.value = '';
  scenarioSelect.value = '';
  editor.setText(built.text);
  await runText(built.text, `pcap/${file.name}.yaml`, `pcap ${file.name}`, Number(seedInput.value) || 0);
}

/** Stops a scenario run in progress: a file just opened replaces whatever it would show. */
function cancelRun(): void {
  sim.cancel();
  delete document.body.dataset.running;
}

async function openFile(file: File): Promise<void> {
  cancelRun();
  const t0 = performance.now();
  const text = await file.text();
  const parsed = parseTraceText(text);
  if (!parsed.ok) {
    setStatus(`${file.name}:${parsed.error.line}: ${parsed.error.message}`, true);
    return;
  }
  pinned = null;
  followInput.value = '';
  showTrace(parsed.trace.events, [], [], { kind: 'file', name: file.name });
  metrics.loadMs = performance.now() - t0;
  setStatus(`${file.name}: ${parsed.trace.events.length} events, ${index!.dropAt.length} drop(s).`);
}

// ---- the model's world and commands ----------------------------------------

/** The world as it is at the shown event: the scenario re-run until that time. */
function worldNow(): unknown {
  if (source?.kind !== 'scenario' || api?.run === undefined || index === null) return null;
  const pos = actor.getSnapshot().context.position;
  const t = pos >= 0 ? Math.ceil(index.events[pos]!.t) : 0;
  if (worldCache?.t === t) return worldCache.world;
  let world: unknown;
  try {
    world = api.run({ text: source.text, fileName: source.fileName, seed: source.seed, files: source.files, untilNs: t }).world;
  } catch {
    return null;
  }
  worldCache = { t, world };
  return world;
}

function runCommand(host: string, line: string): CommandOutput | null {
  if (api?.runCommand === undefined) return null;
  const world = worldNow();
  if (world === null) {
    return { stdout: '', stderr: 'no simulated world: run a scenario (a trace file has no hosts to query)', exitCode: 1 };
  }
  try {
    return toCommandOutput(api.runCommand(world, host, line));
  } catch (e) {
    return { stdout: '', stderr: (e as Error).message, exitCode: 1 };
  }
}

/** The model's counters and conntrack table at the shown moment, from a re-run up to it. */
function computeMoment(): void {
  if (source?.kind !== 'scenario' || index === null || api?.runCommand === undefined) return;
  const world = worldNow();
  const snmp = hostCounters(world);
  if (world === null || snmp === null) return;
  const conntrack: MomentCounters['conntrack'] = {};
  for (const host of Object.keys(snmp)) {
    const r = toCommandOutput(api.runCommand(world, host, 'sysctl -n net.netfilter.nf_conntrack_count net.netfilter.nf_conntrack_max'));
    const nums = r.stdout.trim().split(/\s+/).map(Number);
    if (r.exitCode === 0 && nums.length === 2 && nums.every(Number.isFinite)) conntrack[host] = { count: nums[0]!, max: nums[1]! };
  }
  const pos = actor.getSnapshot().context.position;
  const label = pos >= 0 ? `t = ${formatNs(index.events[pos]!.t)} (event ${pos + 1})` : 't = 0';
  lastMoment = { label, snmp, before: lastMoment?.snmp ?? null, conntrack };
  counters.renderMoment(lastMoment);
}

let momentTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleMoment(playing: boolean): void {
  clearTimeout(momentTimer);
  if (source?.kind !== 'scenario' || playing || api?.runCommand === undefined) return;
  if (source.runMs > MOMENT_RERUN_MS) {
    const b = el('button', { type: 'button', id: 'moment' }, 'Show the model counters at this moment');
    b.addEventListener('click', computeMoment);
    fill(byId('snmp'), b);
    return;
  }
  momentTimer = setTimeout(computeMoment, 300);
}

// ---- rendering -------------------------------------------------------------

function render(): void {
  const snap = actor.getSnapshot();
  const { position: pos, predict, score, speed } = snap.context;
  const playing = snap.matches('playing');
  playButton.setAttribute('aria-pressed', String(playing));
  playButton.firstChild!.textContent = playing ? '❚❚ pause ' : '▶ play ';
  if (index === null) return;
  const t0 = performance.now();
  const ev = pos >= 0 ? index.events[pos]! : null;
  const state: VizState = index.stateAt(pos);
  const prev: VizState | null = pos >= 0 ? index.stateAt(pos - 1) : null;
  const moved = pos !== lastRenderedPos;
  const frame: Frame = {
    index, pos, ev, state, prev,
    skb: pinned ?? ev?.skb ?? null,
    animate: !reducedMotion && Math.abs(pos - lastRenderedPos) === 1,
    moveMs: playing ? Math.min(300, 700 / speed) : 300,
  };
  if (moved) {
    pipeline.render(frame);
    timeline.render(index, pos);
    cpuView.render(index, pos);
    inspector.render(frame);
    counters.render(state, prev, index.hosts);
    tour.renderNote(ev, source?.kind === 'scenario' ? source.notes : {});
    lastRenderedPos = pos;
    updateHash(pos);
    scheduleMoment(playing);
  }
  const waiting = snap.matches('predicting');
  tour.renderPredict(predict, waiting, waiting ? questionFor(index, pos) : null, score, lastAnswer);
  const ms = performance.now() - t0;
  if (moved) {
    metrics.renders.push(ms);
    if (metrics.renders.length > 5000) metrics.renders.shift();
  }
  document.body.dataset.position = String(pos);
}

/** Re-renders the views after the followed packet changed (position unchanged). */
function rerender(): void {
  lastRenderedPos = -2;
  render();
}

let hashTimer: ReturnType<typeof setTimeout> | undefined;
function updateHash(pos: number): void {
  clearTimeout(hashTimer);
  hashTimer = setTimeout(() => {
    const m = source?.kind === 'scenario' && source.shareable
      ? { scenario: source.name, seed: source.seed, pos, ...(pinned !== null ? { skb: pinned } : {}) }
      : { pos, ...(pinned !== null ? { skb: pinned } : {}) };
    history.replaceState(null, '', formatHash(m));
  }, 150);
}

// ---- controls --------------------------------------------------------------

function answer(choice: string): void {
  if (index === null) return;
  const q = questionFor(index, actor.getSnapshot().context.position);
  if (q === null) return;
  lastAnswer = { correct: choice === q.answer, answer: q.answer };
  actor.send({ type: 'ANSWER', correct: lastAnswer.correct });
}

function followed(): number | null {
  if (pinned !== null) return pinned;
  const pos = actor.getSnapshot().context.position;
  return index && pos >= 0 ? index.events[pos]!.skb : null;
}

function jump(kind: 'next-drop' | 'prev-drop' | 'pkt-next' | 'pkt-prev'): void {
  if (index === null) return;
  const pos = actor.getSnapshot().context.position;
  const skb = followed();
  let to = -1;
  if (kind === 'next-drop') to = index.nextDrop(pos);
  else if (kind === 'prev-drop') to = index.prevDrop(pos);
  else if (skb !== null) to = kind === 'pkt-next' ? index.nextOfSkb(skb, pos) : index.prevOfSkb(skb, pos);
  if (to >= 0) {
    // Stay on the packet being followed when jumping along its journey.
    if (kind.startsWith('pkt') && skb !== null && pinned === null) pinned = skb, followInput.value = String(skb);
    actor.send({ type: 'SEEK', position: to });
  } else {
    setStatus(kind.endsWith('drop') ? 'No further drop that way.' : 'This packet has no further event that way.');
  }
}

function setPinned(skb: number | null): void {
  pinned = skb;
  followInput.value = skb === null ? '' : String(skb);
  rerender();
  updateHash(actor.getSnapshot().context.position);
}

byId('step-fwd').addEventListener('click', () => actor.send({ type: 'STEP', delta: 1 }));
byId('step-back').addEventListener('click', () => actor.send({ type: 'STEP', delta: -1 }));
playButton.addEventListener('click', () => actor.send({ type: 'TOGGLE' }));
byId('next-drop').addEventListener('click', () => jump('next-drop'));
byId('prev-drop').addEventListener('click', () => jump('prev-drop'));
byId('pkt-next').addEventListener('click', () => jump('pkt-next'));
byId('pkt-prev').addEventListener('click', () => jump('pkt-prev'));
byId('follow-current').addEventListener('click', () => setPinned(null));
followInput.addEventListener('change', () => {
  const v = Number(followInput.value);
  setPinned(followInput.value !== '' && Number.isInteger(v) && v > 0 ? v : null);
});
byId('pipeline').addEventListener('click', (e) => {
  const skb = (e.target as Element).closest('[data-skb]')?.getAttribute('data-skb');
  if (skb) setPinned(Number(skb));
});
predictToggle.addEventListener('change', () => {
  lastAnswer = null;
  actor.send({ type: 'PREDICT', on: predictToggle.checked });
});

fill(speedSelect, ...SPEEDS.map((s) => el('option', { value: s, selected: s === 4 }, `${s} events/s`)));
speedSelect.addEventListener('change', () => actor.send({ type: 'SPEED', speed: Number(speedSelect.value) }));

byId('run').addEventListener('click', () => {
  if (scenarioSelect.value) openScenario(scenarioSelect.value, Number(seedInput.value) || 0);
});
scenarioSelect.addEventListener('change', () => openScenario(scenarioSelect.value, Number(seedInput.value) || 0));
byId('run-edited').addEventListener('click', () =>
  void runText(editor.text, `scenarios/${scenarioSelect.value || 'edited'}.yaml`, scenarioSelect.value || 'edited',
    Number(seedInput.value) || 0, -1, SCENARIOS[scenarioSelect.value] === editor.text));
byId<HTMLInputElement>('trace-file').addEventListener('change', (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) void openFile(f);
});
byId<HTMLInputElement>('sweep-file').addEventListener('change', (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) void openSweep(f);
});
byId<HTMLInputElement>('pcap-file').addEventListener('change', (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) void openPcap(f);
});

const TEXT_INPUTS = new Set(['text', 'number', 'search', 'email', 'url', 'password']);
const RANGE_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);

/** Keys the focused element handles itself: typing, the range's own arrows, space on a button. */
function ownsKey(target: HTMLElement, key: string): boolean {
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    if (TEXT_INPUTS.has(target.type)) return true;
    if (target.type === 'range') return RANGE_KEYS.has(key);
    return key === ' ';
  }
  return key === ' ' && (target instanceof HTMLButtonElement || target.tagName === 'SUMMARY' || target.tagName === 'A');
}

document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement;
  if (e.ctrlKey || e.metaKey || e.altKey || ownsKey(target, e.key)) return;
  const key = e.key;
  if (key === ' ') actor.send({ type: 'TOGGLE' });
  else if (key === 'ArrowRight') actor.send({ type: 'STEP', delta: 1 });
  else if (key === 'ArrowLeft') actor.send({ type: 'STEP', delta: -1 });
  else if (key === ']') jump('next-drop');
  else if (key === '[') jump('prev-drop');
  else if (key === 'n') jump('pkt-next');
  else if (key === 'p') jump('pkt-prev');
  else if (key === 'Home') actor.send({ type: 'SEEK', position: -1 });
  else if (key === 'End' && index) actor.send({ type: 'SEEK', position: index.length - 1 });
  else if (/^[1-4]$/.test(key) && actor.getSnapshot().matches('predicting')) {
    const q = index ? questionFor(index, actor.getSnapshot().context.position) : null;
    const c = q?.choices[Number(key) - 1];
    if (c !== undefined) answer(c);
  } else return;
  e.preventDefault();
});

// Playback: a frame loop that advances `speed` events per second.
let lastFrame = 0;
let owed = 0;
function frameLoop(now: number): void {
  const snap = actor.getSnapshot();
  if (snap.matches('playing')) {
    owed += ((now - (lastFrame || now)) / 1000) * snap.context.speed;
    const steps = Math.floor(owed);
    if (steps > 0) {
      owed -= steps;
      actor.send({ type: 'TICK', steps });
    }
  } else {
    owed = 0;
  }
  lastFrame = now;
  requestAnimationFrame(frameLoop);
}
requestAnimationFrame(frameLoop);

// ---- start -----------------------------------------------------------------

async function start(): Promise<void> {
  const names = Object.keys(SCENARIOS);
  fill(scenarioSelect, ...(names.length
    ? names.map((n) => el('option', { value: n }, n))
    : [el('option', { value: '' }, 'no scenarios in scenarios/')]));
  const loaded = await loadModel();
  api = loaded.api;
  modelMissing = loaded.missing;
  const moment = parseHash(location.hash);
  if (moment.skb !== undefined) setPinned(moment.skb);
  const first = moment.scenario ?? names[0];
  if (first !== undefined && api.run) {
    openScenario(first, moment.seed ?? 1, moment.pos ?? -1);
  } else if (first !== undefined) {
    scenarioSelect.value = first;
    editor.setText(SCENARIOS[first] ?? '');
    validate(editor.text);
    setStatus(`Model not available (${modelMissing}). Scenarios are checked as YAML only; load a trace file to play.`);
  } else {
    setStatus(modelMissing ? `Model not available (${modelMissing}). Load a trace file to play.` : 'No scenarios: load a trace file.');
  }
  document.body.dataset.ready = 'true';
}

declare global {
  interface Window {
    __pktpathViz: { metrics: Metrics; state(): string };
  }
}
window.__pktpathViz = {
  metrics,
  state: () => (index ? JSON.stringify(index.stateAt(actor.getSnapshot().context.position)) : ''),
};

void start();
