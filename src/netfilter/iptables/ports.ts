// Port and port-range arguments as libxtables parses and prints them
// (xtables_parse_port, xtables_parse_multiport / libxt_tcp.c parse_tcp_ports).

import { fail, type Token } from './extension.js';
import { serviceByName, serviceName } from './netdb.js';

/** xtables_parse_port: a number 0-65535 or a service name for `proto`. */
export function parsePort(text: string, proto: number, tok: Token): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n <= 65535) return n;
  } else {
    const p = serviceByName(text, proto);
    if (p !== undefined) return p;
  }
  return fail(`invalid port/service \`${text}' specified`, tok);
}

/** `A`, `A:B`, `A:` or `:B`, as --sport/--dport take them. */
export function parsePortRange(tok: Token, proto: number): [number, number] {
  const text = tok.text;
  const colon = text.indexOf(':');
  if (colon < 0) {
    const p = parsePort(text, proto, tok);
    return [p, p];
  }
  const lo = colon === 0 ? 0 : parsePort(text.slice(0, colon), proto, tok);
  const hi = colon === text.length - 1 ? 65535 : parsePort(text.slice(colon + 1), proto, tok);
  if (lo > hi) fail('invalid portrange (min > max)', tok);
  return [lo, hi];
}

/** print_port of libxt_tcp/udp/multiport: a service name unless numeric. */
export function portText(port: number, proto: number, numeric: boolean): string {
  if (!numeric) {
    const name = serviceName(port, proto);
    if (name !== undefined) return name;
  }
  return String(port);
}

/** print_ports of libxt_tcp.c: ` spt:22`, ` dpts:1:1024`, ` dpt:!22`. */
export function listPorts(name: string, lo: number, hi: number, inv: boolean, proto: number, numeric: boolean): string {
  if (lo === 0 && hi === 0xffff && !inv) return '';
  const i = inv ? '!' : '';
  if (lo === hi) return ` ${name}:${i}${portText(lo, proto, numeric)}`;
  return ` ${name}s:${i}${portText(lo, proto, numeric)}:${portText(hi, proto, numeric)}`;
}

/** tcp_save/udp_save: ` --sport 1:1024`, ` ! --dport 22`. */
export function savePorts(option: string, lo: number, hi: number, inv: boolean): string {
  if (lo === 0 && hi === 0xffff && !inv) return '';
  return `${inv ? ' !' : ''} --${option} ${lo === hi ? lo : `${lo}:${hi}`}`;
}
