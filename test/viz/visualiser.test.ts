// The visualiser in a real browser (Debian's Chromium via playwright-core):
// loading a trace, stepping and time travel, drops, inspectors, the editor's
// inline errors, predict mode (with its "which CPU" question), keyboard access,
// text-only rendering, pcap replay from disk and runs in the Web Worker.
// Assertions are on DOM and SVG content, never pixels.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { compileScenario, runCommand, simulate, simulateCompiled } from '../../src/index.js';
import { readPcap, PcapError } from '../../src/tools/pcap/reader.js';
import { pcapScenario } from '../../viz/src/model/pcap_scenario.js';
import { runScenario } from '../../viz/src/model/run_scenario.js';
import { questionFor } from '../../viz/src/tour/predict.js';
import { TraceIndex } from '../../viz/src/trace/trace_index.js';
import { fixture, hasChromium, openApp, startViz, type VizHarness } from './browser.js';
import { udpCapture } from './capture.js';
import { sweepJson } from './sweep_fixture.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

if (!hasChromium) {
  console.warn('test/viz: /usr/bin/chromium is absent; browser tests skipped (apt-get install -y chromium)');
}

const FIXTURE = fixture('forward-drop.jsonl');
const FIXTURE_EVENTS = readFileSync(FIXTURE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

async function loadTrace(page: Page, file: string, events: number): Promise<void> {
  await page.setInputFiles('#trace-file', file);
  await page.waitForSelector(`body[data-events="${events}"]`);
}

async function position(page: Page): Promise<number> {
  return Number(await page.getAttribute('body', 'data-position'));
}

async function stepTo(page: Page, pos: number): Promise<void> {
  const now = await position(page);
  const key = pos > now ? 'ArrowRight' : 'ArrowLeft';
  for (let k = 0; k < Math.abs(pos - now); k++) await page.keyboard.press(key);
  await page.waitForSelector(`body[data-position="${pos}"]`);
}

/** Everything the page shows that depends on the position, animation excluded. */
async function snapshot(page: Page): Promise<string> {
  return page.evaluate(() => {
    const boxes = [...document.querySelectorAll('#pipeline .box')].map(
      (b) => `${b.closest('.host')?.getAttribute('data-host')}|${b.getAttribute('data-box')}|${b.getAttribute('class')}|${b.textContent}`,
    );
    const text = (id: string): string => document.getElementById(id)!.innerHTML;
    return JSON.stringify({
      state: window.__pktpathViz.state(),
      boxes,
      packet: document.querySelector('#pipeline .packet')?.getAttribute('data-box'),
      packetPanel: text('packet'),
      decisions: text('decisions'),
      journey: text('journey'),
      counters: text('counters'),
      note: text('note'),
      position: text('position'),
    });
  });
}

let h: VizHarness;

beforeAll(async () => {
  if (hasChromium) h = await startViz();
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe.skipIf(!hasChromium)('visualiser on a trace file', () => {
  let page: Page;

  beforeAll(async () => {
    page = await openApp(h);
    await loadTrace(page, FIXTURE, FIXTURE_EVENTS.length);
  }, 60_000);

  it('draws every host of a loaded trace with the numbered inbound and outbound boxes', async () => {
    const hosts = await page.$$eval('#pipeline .host', (gs) => gs.map((g) => g.getAttribute('data-host')));
    expect(hosts).toEqual(['client', 'router', 'server']);
    const router = await page.$$eval('#pipeline .host[data-host="router"] .box', (bs) =>
      bs.map((b) => `${b.getAttribute('data-box')} ${b.querySelector('.box-step')!.textContent} ${b.querySelector('.box-fn')!.textContent}`));
    expect(router).toContain('in:7 7 ip_route_input_noref');
    expect(router).toContain('in:8f 8 nf_hook_slow');
    expect(router).toContain('out:7 7 __dev_queue_xmit');
    expect(router).toHaveLength(22);
    expect(await page.$$eval('#pipeline .host[data-host="router"] .edge-fwd', (e) => e.length)).toBe(1);
  });

  it('stepping forward moves the packet stage by stage and fills the inspector', async () => {
    await stepTo(page, 0);
    expect(await page.getAttribute('#pipeline .box.current', 'data-stage')).toBe('app-send');
    expect(await page.getAttribute('#pipeline .packet', 'data-box')).toBe('client|out:1');
    expect(await page.textContent('#packet [data-field="stage"]')).toBe('app-send');
    expect(await page.getAttribute('#packet [data-field="fn"] a', 'href'))
      .toBe('https://elixir.bootlin.com/linux/v6.18/A/ident/udp_sendmsg');
    expect(await page.textContent('#note h4')).toContain('outbound step 1');

    await stepTo(page, 3);
    expect(await page.getAttribute('#pipeline .box.current', 'data-stage')).toBe('nf-output');
    expect(await page.textContent('#packet [data-field="verdict"]')).toBe('accept');
    expect(await page.textContent('[data-decision="netfilter"] .what')).toBe('filter OUTPUT policy ACCEPT');
    expect(await page.$$eval('#journey li', (l) => l.length)).toBe(4);
  });

  it('stepping back returns exactly the state shown before', async () => {
    await stepTo(page, 12);
    const before = await snapshot(page);
    await stepTo(page, 19);
    expect(await snapshot(page)).not.toEqual(before);
    await stepTo(page, 12);
    expect(await snapshot(page)).toEqual(before);
  });

  it('scrubbing to the end and back to a moment rebuilds that moment exactly', async () => {
    await stepTo(page, 5);
    const before = await snapshot(page);
    await page.fill('#scrubber', String(FIXTURE_EVENTS.length - 1));
    await page.waitForSelector(`body[data-position="${FIXTURE_EVENTS.length - 1}"]`);
    await page.fill('#scrubber', '5');
    await page.waitForSelector('body[data-position="5"]');
    expect(await snapshot(page)).toEqual(before);
  });

  it('jumping to the next drop marks it at the FORWARD hook with its reason', async () => {
    await page.keyboard.press('Home');
    await page.waitForSelector('body[data-position="-1"]');
    await page.keyboard.press(']');
    const dropAt = FIXTURE_EVENTS.findIndex((e) => e.verdict === 'drop');
    await page.waitForSelector(`body[data-position="${dropAt}"]`);
    const current = page.locator('#pipeline .host[data-host="router"] .box.current');
    expect(await current.getAttribute('data-box')).toBe('in:8f');
    expect(await current.getAttribute('class')).toContain('drop-now');
    expect(await current.locator('.box-drop').textContent()).toBe('✕1');
    expect(await page.textContent('#pipeline .host[data-host="router"] .callout')).toBe('✕ NETFILTER_DROP at 8 FORWARD');
    expect(await page.textContent('[data-decision="drop"] .where')).toContain('NETFILTER_DROP');
    const drops = await page.$$eval('.host-counters[data-host="router"] [data-counters="drops"] tr.changed td',
      (tds) => tds.map((t) => t.textContent));
    expect(drops).toEqual(['NETFILTER_DROP', '1', '+1']);
    expect(await page.getAttribute('.host-counters[data-host="router"] .conntrack', 'data-conntrack')).toBe('2/262144');
  });

  it('follows one packet to its next stage with n, across other packets', async () => {
    await page.keyboard.press('Home');
    await page.waitForSelector('body[data-position="-1"]');
    await stepTo(page, 10);
    const skb = FIXTURE_EVENTS[10]!.skb;
    await page.keyboard.press('n');
    const next = FIXTURE_EVENTS.findIndex((e, i) => i > 10 && e.skb === skb);
    await page.waitForSelector(`body[data-position="${next}"]`);
    expect(await page.inputValue('#follow')).toBe(String(skb));
    await page.click('#follow-current');
    expect(await page.inputValue('#follow')).toBe('');
  });

  it('records the position in the URL hash', async () => {
    await stepTo(page, 7);
    await page.waitForFunction(() => location.hash.includes('pos=7'));
    expect(await page.evaluate(() => location.hash)).toBe('#pos=7');
  });

  it('predict mode asks before revealing the next event and keeps score', async () => {
    await page.keyboard.press('Home');
    await page.waitForSelector('body[data-position="-1"]');
    await page.check('#predict-mode');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('#predict .question');
    expect(await position(page)).toBe(-1);
    expect(await page.textContent('#predict .question')).toBe('Which stage does packet 1 on client reach next?');
    await page.click('#predict [data-choice="app-send"]');
    await page.waitForSelector('body[data-position="0"]');
    expect(await page.getAttribute('#predict .score', 'data-score')).toBe('1/1');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('#predict .question');
    const wrong = await page.$$eval('#predict .choice', (bs) => bs.map((b) => b.getAttribute('data-choice')));
    await page.click(`#predict [data-choice="${wrong.find((c) => c !== 'sock-sndbuf')}"]`);
    await page.waitForSelector('body[data-position="1"]');
    expect(await page.getAttribute('#predict .score', 'data-score')).toBe('1/2');
    expect(await page.textContent('#predict .result')).toBe('✗ It was: sock-sndbuf');
    await page.uncheck('#predict-mode');
  });

  it('every control is reachable by keyboard with a visible focus ring', async () => {
    await page.focus('#run');
    const seen = new Set<string>();
    for (let k = 0; k < 60; k++) {
      await page.keyboard.press('Tab');
      const info = await page.evaluate(() => {
        const a = document.activeElement as HTMLElement;
        if (a === document.body) return null;
        const style = getComputedStyle(a);
        const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
        const label = a.closest('label');
        return { id: a.id || label?.querySelector('input,select')?.id || a.tagName, ring: ring || !!label?.matches(':focus-within') };
      });
      if (info === null) break; // ran off the end of the page
      seen.add(info.id);
      expect(info.ring, `focus ring on ${info.id}`).toBe(true);
    }
    for (const id of ['trace-file', 'step-back', 'play', 'step-fwd', 'next-drop', 'speed', 'predict-mode', 'scrubber',
      'editor', 'run-edited', 'terminal-host', 'terminal-line']) {
      expect(seen, id).toContain(id);
    }
  });

  it('renders trace strings as text, never as HTML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pktpath-viz-'));
    const file = join(dir, 'hostile.jsonl');
    const evil = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
    writeFileSync(file, `${JSON.stringify({ ...FIXTURE_EVENTS[0], host: '<i>h</i>', detail: evil })}\n`);
    const p = await openApp(h);
    await loadTrace(p, file, 1);
    await p.keyboard.press('ArrowRight');
    await p.waitForSelector('body[data-position="0"]');
    expect(await p.textContent('#packet [data-field="detail"]')).toBe(evil);
    expect(await p.textContent('#pipeline .host-name')).toBe('<i>h</i>');
    expect(await p.$$eval('img, #packet b, #pipeline i', (e) => e.length)).toBe(0);
    expect(await p.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a bad trace line by number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pktpath-viz-'));
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, `${JSON.stringify(FIXTURE_EVENTS[0])}\n{"t": 5, "host": "a"}\n`);
    const p = await openApp(h);
    await p.setInputFiles('#trace-file', file);
    await p.waitForSelector('#status.error');
    expect(await p.textContent('#status')).toBe('bad.jsonl:2: "cpu" must be an integer');
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads a 100,000-event trace and steps within a frame (measured, reported)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pktpath-viz-'));
    const file = join(dir, 'big.jsonl');
    const lines: string[] = [];
    const span = 1_000_000;
    for (let r = 0; lines.length < 100_000; r++) {
      for (const e of FIXTURE_EVENTS) {
        if (lines.length === 100_000) break;
        lines.push(JSON.stringify({ ...e, t: (e.t as number) + r * span, skb: (e.skb as number) + r * 100 }));
      }
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    const p = await openApp(h);
    const t0 = Date.now();
    await loadTrace(p, file, 100_000);
    const wallLoad = Date.now() - t0;
    const loadMs = await p.evaluate(() => window.__pktpathViz.metrics.loadMs);
    await p.evaluate(() => (window.__pktpathViz.metrics.renders.length = 0));
    for (let k = 0; k < 100; k++) await p.keyboard.press('ArrowRight');
    await p.waitForSelector('body[data-position="99"]');
    await p.fill('#scrubber', '77777');
    await p.waitForSelector('body[data-position="77777"]');
    for (let k = 0; k < 50; k++) await p.keyboard.press('ArrowLeft');
    await p.waitForSelector('body[data-position="77727"]');
    const renders = await p.evaluate(() => [...window.__pktpathViz.metrics.renders]);
    const sorted = [...renders].sort((a, b) => a - b);
    const pct = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    console.log(
      `viz perf: 100,000-event trace loaded in ${loadMs.toFixed(0)} ms in page (${wallLoad} ms wall incl. file transfer); ` +
        `${renders.length} renders: median ${pct(0.5).toFixed(2)} ms, p95 ${pct(0.95).toFixed(2)} ms, max ${sorted[sorted.length - 1]!.toFixed(2)} ms`,
    );
    expect(renders.length).toBeGreaterThanOrEqual(150);
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

});

describe.skipIf(!hasChromium)('visualiser running scenarios in the page', () => {
  const text = readFileSync(join(REPO, 'scenarios', 'forward-udp.yaml'), 'utf8');
  const expected = simulate(text, 'scenarios/forward-udp.yaml', { seed: 1 }).events;

  it('runs the first scenario on start with the same trace as the model in Node', async () => {
    const shipped = readdirSync(join(REPO, 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
    const first = shipped[0]!;
    const firstText = readFileSync(join(REPO, 'scenarios', `${first}.yaml`), 'utf8');
    const firstEvents = simulate(firstText, `scenarios/${first}.yaml`, { seed: 1 }).events;
    const p = await openApp(h);
    await p.waitForFunction(() => document.body.dataset.events !== undefined || document.querySelector('#status.error'));
    expect({ events: Number(await p.getAttribute('body', 'data-events')), status: await p.textContent('#status') })
      .toEqual({ events: firstEvents.length, status: expect.stringContaining(`${first} (seed 1): ${firstEvents.length} events`) });
    expect(await p.inputValue('#scenario-select')).toBe(first);
    expect(await p.$$eval('#scenario-select option', (os) => os.map((o) => o.textContent))).toEqual(shipped);
    await p.keyboard.press('End');
    await p.waitForSelector(`body[data-position="${firstEvents.length - 1}"]`);
    const last = firstEvents[firstEvents.length - 1]!;
    expect(await p.textContent('#packet [data-field="stage"]')).toBe(last.stage);
    expect(await p.textContent('#packet [data-field="detail"]')).toBe(last.detail || '—');

    await p.selectOption('#scenario-select', 'forward-udp');
    await p.waitForSelector(`body[data-events="${expected.length}"]`);
    const hosts = await p.$$eval('#pipeline .host', (gs) => gs.map((g) => g.getAttribute('data-host')));
    expect(hosts).toEqual(['client', 'router', 'server']);
    expect(await p.$$eval('#pipeline .link', (ls) => ls.map((l) => l.getAttribute('data-link'))))
      .toEqual(['client:eth0-router:eth0', 'router:eth1-server:eth0']);
    await p.close();
  });

  it('reopens the moment a shared link names: scenario, seed and position', async () => {
    const pos = expected.findIndex((e) => e.host === 'router' && e.stage === 'nf-forward');
    const p = await openApp(h, `#scenario=forward-udp&seed=1&pos=${pos}`);
    await p.waitForSelector(`body[data-position="${pos}"]`);
    const current = p.locator('#pipeline .host[data-host="router"] .box.current');
    expect(await current.getAttribute('data-box')).toBe('in:8f');
    expect(await p.textContent('#packet [data-field="stage"]')).toBe('nf-forward');
    expect(await p.textContent('[data-decision="route"] .what')).toBe(expected.find((e) => e.host === 'router' && e.stage === 'route-input')!.detail);
    await p.close();
  });

  it('shows the model counters at the moment viewed, with deltas', async () => {
    const pos = expected.findIndex((e) => e.host === 'router' && e.stage === 'nf-forward');
    const p = await openApp(h, `#scenario=forward-udp&seed=1&pos=${pos}`);
    await p.waitForSelector('#snmp .host-counters[data-host="router"]');
    const row = p.locator('#snmp .host-counters[data-host="router"] tr', { hasText: 'IpForwDatagrams' });
    expect(await row.locator('td').nth(1).textContent()).toBe('1');
    await p.close();
  });

  it('the terminal runs a command on the simulated host at this moment', async () => {
    const p = await openApp(h, '#scenario=forward-udp&seed=1&pos=0');
    await p.waitForSelector('body[data-position="0"]');
    await p.selectOption('#terminal-host', 'router');
    await p.fill('#terminal-line', 'sysctl net.ipv4.ip_forward');
    await p.press('#terminal-line', 'Enter');
    await p.waitForSelector('#terminal-output .stdout');
    expect(await p.textContent('#terminal-output .echo')).toBe('root@router:~# sysctl net.ipv4.ip_forward');
    expect(await p.textContent('#terminal-output .stdout')).toBe('net.ipv4.ip_forward = 1');
    await p.fill('#terminal-line', 'sysctl --bogus');
    await p.press('#terminal-line', 'Enter');
    await p.waitForSelector('#terminal-output .stderr');
    expect(await p.getAttribute('#terminal-output', 'data-exit')).not.toBe('0');
    await p.close();
  });

  it('a bad YAML shows its error in the editor at the right line', async () => {
    const p = await openApp(h);
    const lines = text.split('\n');
    const seedLine = lines.findIndex((l) => l.startsWith('seed:')) + 1;
    lines[seedLine - 1] = 'seed: one';
    await p.fill('#editor', lines.join('\n'));
    await p.waitForSelector(`#editor-errors li[data-line="${seedLine}"]`);
    expect(await p.textContent(`#editor-errors li[data-line="${seedLine}"]`)).toMatch(new RegExp(`^line ${seedLine}:\\d+ seed: `));
    expect(await p.getAttribute(`#editor-gutter .ln[data-line="${seedLine}"]`, 'class')).toBe('ln bad');
    expect(await p.textContent(`.editor-error[data-line="${seedLine}"]`)).toMatch(new RegExp(`^${seedLine}:\\d+ `));
    await p.fill('#editor', ['name: broken', 'hosts:', '  a: { nics: [eth0', '  b: {}', ''].join('\n'));
    await p.waitForSelector('#editor-errors li[data-line="4"]');
    await p.fill('#editor', text);
    await p.waitForSelector('#editor-errors[data-errors="0"]');
    await p.click('#run-edited');
    await p.waitForSelector(`body[data-events="${expected.length}"]`);
    await p.close();
  });

  it('saves a screenshot of a forwarded packet for the README', async () => {
    const pos = expected.findIndex((e) => e.host === 'router' && e.stage === 'nf-postrouting');
    const p = await openApp(h, `#scenario=forward-udp&seed=1&pos=${pos}`);
    await p.waitForSelector(`body[data-position="${pos}"]`);
    await p.waitForSelector('#snmp .host-counters');
    const out = join(REPO, 'viz', 'screenshot.png');
    await p.screenshot({ path: out, fullPage: false });
    expect(existsSync(out)).toBe(true);
    await p.close();
  });

  it('replays a pcap from disk through a simulated host and shows its journey', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pktpath-viz-'));
    const bytes = udpCapture(8, 1_000_000);
    const file = join(dir, 'dns.pcap');
    writeFileSync(file, bytes);
    const built = pcapScenario('dns.pcap', bytes);
    if (!built.ok) throw new Error(built.message);
    const events = runScenario({ compileScenario, simulateCompiled },
      { text: built.text, fileName: 'pcap/dns.pcap.yaml', seed: 1, files: new Map([['dns.pcap', bytes]]) }).events;
    const p = await openApp(h);
    await p.waitForFunction(() => document.body.dataset.events !== undefined);
    await p.setInputFiles('#pcap-file', file);
    await p.waitForSelector(`body[data-events="${events.length}"]`);
    // The two datagrams for 172.16.5.99 are not for this host and are dropped.
    expect(await p.textContent('#status')).toBe(`pcap dns.pcap (seed 1): ${events.length} events, 2 drop(s).`);
    expect(await p.$$eval('#pipeline .host', (gs) => gs.map((g) => g.getAttribute('data-host')))).toEqual(['host']);
    expect(await p.inputValue('#editor')).toBe(built.text);
    const rcv = events.findIndex((e) => e.stage === 'sock-rcvq');
    await p.fill('#scrubber', String(rcv));
    await p.waitForSelector(`body[data-position="${rcv}"]`);
    expect(await p.textContent('#packet [data-field="stage"]')).toBe('sock-rcvq');
    expect(await p.getAttribute('#pipeline .box.current', 'data-stage')).toBe('sock-rcvq');
    // The terminal runs on the replayed host at this moment (the page re-runs with the file's bytes).
    await p.fill('#terminal-line', 'nstat -az UdpInDatagrams');
    await p.press('#terminal-line', 'Enter');
    await p.waitForSelector('#terminal-output .stdout');
    const atMoment = runScenario({ compileScenario, simulateCompiled }, {
      text: built.text, fileName: 'pcap/dns.pcap.yaml', seed: 1, files: new Map([['dns.pcap', bytes]]),
      untilNs: Math.ceil(events[rcv]!.t),
    });
    const nstat = runCommand(atMoment.world as Parameters<typeof runCommand>[0], 'host', 'nstat -az UdpInDatagrams').stdout;
    expect(nstat).toMatch(/^#kernel\nUdpInDatagrams\s+\d+/);
    expect(await p.textContent('#terminal-output .stdout')).toBe(nstat.replace(/\n$/, ''));
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a corrupt pcap shows the reader\'s message with its byte offset, as text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pktpath-viz-'));
    const full = udpCapture(3, 1000);
    const cut = full.subarray(0, full.length - 10);
    const name = '<b>cut.pcap';
    writeFileSync(join(dir, name), cut);
    const err = readPcap(cut);
    if (!(err instanceof PcapError)) throw new Error('the truncated capture should not read');
    const p = await openApp(h);
    await p.waitForFunction(() => document.body.dataset.events !== undefined);
    const before = await p.getAttribute('body', 'data-events');
    await p.setInputFiles('#pcap-file', join(dir, name));
    await p.waitForSelector('#status.error');
    expect(await p.textContent('#status')).toBe(`${name}: ${err.message}`);
    expect(err.message).toMatch(/at byte \d+/);
    expect(await p.$$eval('#status b', (b) => b.length)).toBe(0);
    // The trace shown before stays.
    expect(await p.getAttribute('body', 'data-events')).toBe(before);
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('predict mode asks which CPU when the packet moves to another CPU', async () => {
    const inbound = readFileSync(join(REPO, 'scenarios', 'inbound-tcp.yaml'), 'utf8');
    const events = simulate(inbound, 'scenarios/inbound-tcp.yaml', { seed: 1 }).events;
    const ix = new TraceIndex(events);
    let at = -1;
    for (let pos = -1; pos < events.length - 1 && at < 0; pos++) {
      if (questionFor(ix, pos)!.prompt.endsWith('On which CPU does it run?')) at = pos;
    }
    expect(at).toBeGreaterThanOrEqual(0);
    const ev = events[at + 1]!;
    const p = await openApp(h, `#scenario=inbound-tcp&seed=1&pos=${at}`);
    await p.waitForSelector(`body[data-position="${at}"]`);
    await p.check('#predict-mode');
    await p.keyboard.press('ArrowRight');
    await p.waitForSelector('#predict .question');
    expect(await p.textContent('#predict .question')).toBe(
      `packet ${ev.skb} on ${ev.host} was on CPU ${events[ix.prevOfSkb(ev.skb, at + 1)]!.cpu}; its next step is ${ev.stage}. On which CPU does it run?`);
    expect(await p.$$eval('#predict .choice', (bs) => bs.map((b) => b.getAttribute('data-choice')))).toEqual(['CPU 0', 'CPU 1']);
    await p.keyboard.press(String(ev.cpu + 1));
    await p.waitForSelector(`body[data-position="${at + 1}"]`);
    expect(await p.getAttribute('#predict .score', 'data-score')).toBe('1/1');
    expect(await p.textContent('#packet [data-field="cpu"]')).toBe(String(ev.cpu));
    await p.close();
  });

  it('runs a 100,000-event scenario in the Web Worker while the page keeps drawing (measured, reported)', async () => {
    const name = 'retrans-reorder';
    const reorder = readFileSync(join(REPO, 'scenarios', `${name}.yaml`), 'utf8');
    const events = simulate(reorder, `scenarios/${name}.yaml`, { seed: 1 }).events;
    expect(events.length).toBeGreaterThanOrEqual(100_000);
    const p = await openApp(h);
    await p.waitForFunction(() => document.body.dataset.events !== undefined);
    // Record the gaps between animation frames from the click until the trace is shown.
    await p.evaluate(() => {
      const w = window as unknown as { __gaps: number[]; __runningFrames: number };
      w.__gaps = [];
      w.__runningFrames = 0;
      let last = performance.now();
      const tick = (now: number): void => {
        w.__gaps.push(now - last);
        last = now;
        if (document.body.dataset.running === 'true') w.__runningFrames++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const t0 = Date.now();
    await p.selectOption('#scenario-select', name);
    await p.waitForSelector('body[data-running="true"]');
    // The page answers while the simulation runs.
    const answered = Date.now();
    expect(await p.evaluate(() => document.body.dataset.running)).toBe('true');
    const answerMs = Date.now() - answered;
    await p.waitForSelector(`body[data-events="${events.length}"]`, { timeout: 60_000 });
    const wall = Date.now() - t0;
    const m = await p.evaluate(() => {
      const w = window as unknown as { __gaps: number[]; __runningFrames: number };
      return { ...window.__pktpathViz.metrics, renders: [], gaps: w.__gaps, runningFrames: w.__runningFrames };
    });
    expect(m.simThread).toBe('worker');
    expect(m.runningFrames).toBeGreaterThan(0);
    await p.keyboard.press('End');
    await p.waitForSelector(`body[data-position="${events.length - 1}"]`);
    expect(await p.textContent('#packet [data-field="stage"]')).toBe(events[events.length - 1]!.stage);
    const gaps = [...m.gaps].sort((a, b) => a - b);
    console.log(
      `viz perf: ${name} (${events.length} events) ran in the worker in ${m.simMs.toFixed(0)} ms; ` +
        `trace indexed and first render in ${m.loadMs.toFixed(0)} ms; ${wall} ms wall from pick to shown; ` +
        `${m.runningFrames} frames drawn while it ran; longest frame gap ${gaps[gaps.length - 1]!.toFixed(0)} ms ` +
        `(includes receiving the trace); page answered in ${answerMs} ms mid-run`,
    );
    await p.close();
  }, 120_000);

  it('draws a sweep JSON from disk as one grouped bar chart per metric', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pktpath-viz-'));
    const text = sweepJson(3);
    writeFileSync(join(dir, 'sweep.json'), text);
    const rows = JSON.parse(text).rows as Record<string, number | string>[];
    const p = await openApp(h);
    await p.setInputFiles('#sweep-file', join(dir, 'sweep.json'));
    await p.waitForSelector('#sweep svg.sweep-chart');
    expect(await p.$$eval('#sweep svg.sweep-chart', (s) => s.map((x) => x.getAttribute('data-metric')))).toEqual([
      'throughput_gbit_s', 'stack_pps', 'softirq_cpu_s_per_gb', 'drops', 'latency_p50_us', 'latency_p99_us', 'retransmits']);
    const bars = await p.$$eval('#sweep svg[data-metric="drops"] g.group', (gs) => gs.map((g) => [g.getAttribute('data-group'),
      [...g.querySelectorAll('g.bar')].map((b) => `${b.getAttribute('data-series')}=${b.querySelector('.bar-value')!.textContent}`)]));
    expect(bars).toEqual([
      ['1500', rows.filter((r) => r.mtu === 1500).map((r) => `gro=${r.gro}=${r.drops}`)],
      ['9000', rows.filter((r) => r.mtu === 9000).map((r) => `gro=${r.gro}=${r.drops}`)],
    ]);
    expect(await p.$$eval('#sweep .sweep-legend li', (l) => l.map((x) => x.textContent))).toEqual(['gro=on', 'gro=off']);
    writeFileSync(join(dir, 'bad.json'), '{"experiment": 5}');
    await p.setInputFiles('#sweep-file', join(dir, 'bad.json'));
    await p.waitForSelector('#status.error');
    expect(await p.textContent('#status')).toBe('bad.json: "experiment" must be a string');
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('saw no console errors and no failed requests', () => {
    expect(h.problems).toEqual([]);
  });
});
