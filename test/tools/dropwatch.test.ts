import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LAB, run, runWorld } from './helpers.js';
import { dropSiteOffset, formatSite, symbolAddr } from '../../src/tools/kallsyms.js';
import { DropReason } from '../../src/model/drop_reason.js';
import { dropwatch } from '../../src/tools/dropwatch.js';

const ALERT = /^(\d+) drops at ([a-z_0-9]+)\+([0-9a-f]+) \(0x(ffffffff8[0-9a-f]{7})\) \[software\]$/;

describe('dropwatch -l kas', () => {
  it('prints the session and one summary alert per call site, counts matching the kernel\'s drops', () => {
    const world = runWorld(LAB);
    const host = world.host('pb');
    const out = run(world, 'pb', 'dropwatch -l kas').stdout.split('\n');
    expect(out.slice(0, 4)).toEqual(['Initializing kallsyms db', 'dropwatch> Enabling monitoring...', 'Kernel monitoring activated.', 'Issue Ctrl-C to stop monitoring']);
    const alerts = out.filter((l) => l.includes(' drops at '));
    for (const a of alerts) expect(a).toMatch(ALERT);
    const byFn = new Map<string, number>();
    for (const a of alerts) {
      const m = ALERT.exec(a)!;
      byFn.set(m[2]!, (byFn.get(m[2]!) ?? 0) + Number(m[1]));
    }
    expect(Object.fromEntries(byFn)).toEqual(Object.fromEntries(host.dropLocations));
    const sk = host.sockets.all.find((s) => s.sport === 5000)!;
    expect(alerts).toContain(`${sk.drops} drops at ${formatSite('__udp_enqueue_schedule_skb', DropReason.SOCKET_RCVBUFF)} [software]`);
    expect(out.slice(-2)).toEqual(['dropwatch> Shutting down ...', '']);
  });

  it('reports only the drops since its previous session on the host', () => {
    const world = runWorld(LAB);
    expect(run(world, 'pb', 'dropwatch -l kas').stdout).toContain(' drops at ');
    expect(run(world, 'pb', 'dropwatch -l kas').stdout).not.toContain(' drops at ');
  });

  it('reports NIC ring overflows as hardware drops', () => {
    const world = runWorld(readFileSync(new URL('../../scenarios/rx-overload.yaml', import.meta.url), 'utf8'));
    const missed = world.host('server').devByName.get('eth0')!.stats.rx_missed_errors;
    expect(missed).toBeGreaterThan(0);
    expect(run(world, 'server', 'dropwatch -l kas').stdout).toContain(`\n${missed} drops at eth0 [hardware]\n`);
  });

  it('prints each drop with its reason in packet alert mode when the trace was recorded', () => {
    const world = runWorld(LAB, { record: true });
    const out = dropwatch(world.host('pb'), ['-l', 'kas'], world, 'set alertmode packet\nstart\n').stdout;
    expect(out).toContain('Alert mode successfully set');
    expect(out).toContain(`drop at: ${formatSite('__udp4_lib_rcv', DropReason.NO_SOCKET)}\norigin: software\n`);
    expect(out).toContain('drop reason: NO_SOCKET\n');
    expect(out).toContain('drop reason: SOCKET_RCVBUFF\n');
  });

  it('refuses an unknown lookup method', () => {
    const world = runWorld(LAB, { untilNs: 0 });
    expect(run(world, 'pb', 'dropwatch -l foo')).toEqual({ stdout: '', stderr: 'Unknown lookup method foo\n', exitCode: 1 });
  });

  it('gives every site a stable address inside its function', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z_][a-z0-9_]{0,30}$/), fc.integer({ min: 0, max: 255 }), (fn, r) => {
      const off = dropSiteOffset(fn, r);
      return off >= 0x20 && off < 0x400 && symbolAddr(fn) % 16n === 0n && formatSite(fn, r) === formatSite(fn, r);
    }));
  });
});
