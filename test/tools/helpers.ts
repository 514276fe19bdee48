// Shared set-up for the tool tests: a world built and run from scenario text,
// and the recorded outputs of the real tools (test/tools/fixtures/real).

import { readFileSync } from 'node:fs';
import { compileScenario } from '../../src/scenario/build.js';
import { simulate } from '../../src/scenario/simulate.js';
import type { World } from '../../src/model/world.js';
import type { Host } from '../../src/model/host.js';
import { runCommand } from '../../src/tools/runner.js';
import '../../src/tools/index.js';

export function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/real/${name}`, import.meta.url), 'utf8');
}

/** Compiles and runs scenario text to its end (or `until` ns); returns the world. */
export function runWorld(text: string, opts: { untilNs?: number; record?: boolean } = {}): World {
  const r = compileScenario(text, 'test.yaml');
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join('\n'));
  if (opts.record) r.scenario.world.record();
  simulate(r.scenario, opts.untilNs !== undefined ? { untilNs: opts.untilNs } : {});
  return r.scenario.world;
}

export function run(world: World, host: string, line: string): { stdout: string; stderr: string; exitCode: number } {
  const r = runCommand(world, host, line);
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
}

/** Loads `Group: names` / `Group: values` pairs (a real /proc/net/snmp or netstat) into a host's counters. */
export function loadProcCounters(host: Host, text: string): void {
  const lines = text.trimEnd().split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = lines[i]!.split(' ');
    const values = lines[i + 1]!.split(' ');
    const group = names[0]!.slice(0, -1);
    for (let j = 1; j < names.length; j++) {
      const v = Number(values[j]);
      const m = /^(In|Out)Type(\d+)$/.exec(names[j]!);
      if (group === 'IcmpMsg' && m) (m[1] === 'In' ? host.snmp.icmpMsgIn : host.snmp.icmpMsgOut)[Number(m[2])] = v;
      else if (group !== 'MPTcpExt') host.snmp.v[host.snmp.entries().findIndex(([n]) => n === group + names[j])] = v;
    }
  }
}

/** The netns experiment of the fixtures: a client sends 100 kB over TCP 443, 20 datagrams to a small-buffer UDP port and one to a closed port. */
export const LAB = `
name: lab
seed: 1
duration: 200ms
hosts:
  pa:
    nics: { va: { addr: 10.9.0.1/24, kind: veth } }
  pb:
    nics: { vb: { addr: 10.9.0.2/24, kind: veth } }
    listen:
      - { proto: tcp, port: 443, addr: 10.9.0.2, backlog: 128 }
      - { proto: udp, port: 5000, rcvbuf: 16384, work: 50ms }
links:
  - { a: pa:va, b: pb:vb, rate: 10Gbit, delay: 10us }
traffic:
  - { from: pa, kind: tcp, to: 10.9.0.2:443, bytes: 100kB, at: 1ms }
  - { from: pa, kind: udp, to: 10.9.0.2:5000, size: 1000, count: 20, interval: 10us, at: 50ms }
  - { from: pa, kind: udp, to: 10.9.0.2:5999, size: 1, count: 1, at: 60ms }
`;
