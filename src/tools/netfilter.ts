// The netfilter commands on a simulated host: iptables, iptables-save,
// iptables-restore FILE, conntrack and dmesg, bound to the host's
// HostNetfilter (created on first use, as the kernel loads a table on the
// first iptables call).

import { registerTool, type CommandResult } from './runner.js';
import { runIptables, runIptablesRestore, runIptablesSave } from './iptables.js';
import { runConntrack } from './conntrack.js';
import { hostNetfilter } from '../netfilter/host_netfilter.js';
import { IPTABLES_VERSION } from '../netfilter/iptables/index.js';
import type { Host } from '../model/host.js';

registerTool('iptables', (host, argv) => {
  const nf = hostNetfilter(host);
  const r = runIptables(argv, nf.ruleset, nf);
  nf.syncConntrack();
  return r;
});

registerTool('iptables-save', (host, argv) => {
  const nf = hostNetfilter(host);
  return runIptablesSave(argv, nf.ruleset, nf);
});

/** iptables-restore FILE: stdin does not exist in the simulator, so the dump comes from a named file. */
registerTool('iptables-restore', (host, argv): CommandResult => {
  const nf = hostNetfilter(host);
  const file = argv.find((a) => !a.startsWith('-'));
  if (file === undefined) return { stdout: '', stderr: 'iptables-restore: no input file (stdin is not available here)\n', exitCode: 1 };
  const data = nf.readFile?.(file) ?? null;
  if (data === null) {
    return { stdout: '', stderr: `iptables-restore ${IPTABLES_VERSION}: Can't open ${file}: No such file or directory\n`, exitCode: 1 };
  }
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
  const r = runIptablesRestore(argv.filter((a) => a !== file), text, nf.ruleset, nf);
  nf.syncConntrack();
  return r;
});

registerTool('conntrack', (host, argv, world) => {
  const nf = hostNetfilter(host);
  // ctnetlink autoloads nf_conntrack, so the tool always finds a table.
  nf.requireConntrack();
  let pid = -1;
  return runConntrack(argv, nf.ct!, host.sim.now, {
    pid: () => (pid < 0 ? (pid = host.nextPid++) : pid),
    rover: () => 0x80000000 + (world.streams.get(`host:${host.name}:netlink`).nextU32() % (0x80000000 - 4096)),
  });
});

/** dmesg: the kernel log ring; -c prints then clears it, -C clears it. */
export function runDmesg(host: Host, argv: string[]): CommandResult {
  const clear = argv.includes('-c') || argv.includes('--read-clear');
  const clearOnly = argv.includes('-C') || argv.includes('--clear');
  const bad = argv.find((a) => !['-c', '--read-clear', '-C', '--clear'].includes(a));
  if (bad !== undefined) return { stdout: '', stderr: `dmesg: unrecognized option '${bad}'\nTry 'dmesg --help' for more information.\n`, exitCode: 1 };
  const out = clearOnly || host.dmesg.length === 0 ? '' : host.dmesg.join('\n') + '\n';
  if (clear || clearOnly) host.dmesg.length = 0;
  return { stdout: out, stderr: '', exitCode: 0 };
}

registerTool('dmesg', (host, argv) => runDmesg(host, argv));
