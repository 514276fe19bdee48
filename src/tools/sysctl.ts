// sysctl(8) against a simulated host: `sysctl KEY`, `sysctl KEY=VALUE`,
// `sysctl -w KEY=VALUE`, `-n`, `-a`; messages and exit codes as procps prints them.

import type { Host } from '../model/host.js';
import { registerTool, type CommandResult } from './runner.js';
import { applyForwarding } from '../scenario/build.js';

export function runSysctl(host: Host, argv: string[]): CommandResult {
  let valuesOnly = false;
  let all = false;
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  const keys: string[] = [];
  for (const a of argv) {
    if (a === '-n' || a === '--values') valuesOnly = true;
    else if (a === '-w' || a === '--write' || a === '-q') continue;
    else if (a === '-a' || a === '--all' || a === '-A') all = true;
    else if (a.startsWith('-')) return { stdout: '', stderr: `sysctl: invalid option -- '${a.replace(/^-+/, '')[0]}'\nTry \`sysctl --help' for more information.\n`, exitCode: 1 };
    else keys.push(a);
  }
  const show = (k: string): void => {
    try {
      const v = host.sysctl.format(k);
      out.push(valuesOnly ? v : `${k.replaceAll('/', '.')} = ${v}`);
    } catch (e) {
      err.push(`sysctl: cannot stat /proc/sys/${k.replaceAll('.', '/')}: No such file or directory`);
      code = 255;
    }
  };
  if (all) for (const k of host.sysctl.keys()) show(k);
  for (const k of keys) {
    const eq = k.indexOf('=');
    if (eq < 0) {
      show(k);
      continue;
    }
    const key = k.slice(0, eq).trim();
    const raw = k.slice(eq + 1).trim();
    const e = host.sysctl.set(key, raw);
    if (e) {
      err.push(e);
      code = 255;
      continue;
    }
    if (key.replaceAll('/', '.') === 'net.ipv4.ip_forward') applyForwarding(host);
    host.onSysctlChange?.(key.replaceAll('/', '.'));
    out.push(valuesOnly ? raw : `${key} = ${raw}`);
  }
  return { stdout: out.length ? out.join('\n') + '\n' : '', stderr: err.length ? err.join('\n') + '\n' : '', exitCode: code };
}

registerTool('sysctl', (host, argv) => runSysctl(host, argv));
