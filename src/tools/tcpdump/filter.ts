// pcap-filter(7) expressions: parsed into an AST, then evaluated over frame
// bytes, so one filter serves a live capture tap and `tcpdump -r` alike.
// Mirrors libpcap's grammar.y/gencode.c semantics where they show:
//   - `and` and `or` bind equally and associate left; `not` binds tightest;
//   - a bare id after and/or inherits the previous qualifiers (`host a or b`);
//   - port tests and tcp/udp/icmp[] loads only look at the first fragment
//     (gen_portop / gen_load_internal AND in gen_ipfrag);
//   - a load past the captured bytes rejects the packet (BPF aborts with 0).

import { parseIpv4 } from '../../model/inet.js';
import { LINKTYPE_LINUX_SLL } from '../../wire/frame.js';
import { servicePort } from './services.js';

export type Dir = 'src' | 'dst' | 'src or dst' | 'src and dst';
/** Where a byte load's offset is counted from. */
export type LoadBase = 'link' | 'ip' | 'arp' | 'tcp' | 'udp' | 'icmp';
export type RelOp = '>' | '<' | '>=' | '<=' | '=' | '!=';
export type ArithOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>';

export type Arith =
  | { k: 'num'; v: number }
  | { k: 'len' }
  | { k: 'load'; base: LoadBase; off: Arith; size: 1 | 2 | 4 }
  | { k: 'neg'; e: Arith }
  | { k: 'bin'; op: ArithOp; l: Arith; r: Arith };

export type FilterNode =
  | { k: 'true' }
  | { k: 'and' | 'or'; l: FilterNode; r: FilterNode }
  | { k: 'not'; e: FilterNode }
  /** Link-layer protocol (ethertype). */
  | { k: 'ethertype'; v: number }
  /** IPv4 protocol number. */
  | { k: 'ipproto'; v: number }
  /** IPv4 (and, when `arp`, ARP sender/target) address under a mask. */
  | { k: 'net'; dir: Dir; addr: number; mask: number; ip: boolean; arp: boolean }
  | { k: 'port'; dir: Dir; lo: number; hi: number; tcp: boolean; udp: boolean }
  /** Ethernet address test; `cast` marks the `broadcast`/`multicast` primitives. */
  | { k: 'ehost'; dir: Dir; mac: number; cast?: 'broadcast' | 'multicast' }
  | { k: 'rel'; op: RelOp; l: Arith; r: Arith };

export class FilterSyntaxError {
  constructor(
    /** What tcpdump prints after `tcpdump: `. */
    readonly message: string,
    /** 1-based column of the token where parsing failed (not part of tcpdump's message). */
    readonly column: number,
  ) {}
}

// --- constants (pcap-filter(7): "tcpflags", "tcp-syn", "icmp-echo", ...) ---

const NAMED_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['icmptype', 0], ['icmpcode', 1], ['tcpflags', 13],
  ['icmp-echoreply', 0], ['icmp-unreach', 3], ['icmp-sourcequench', 4], ['icmp-redirect', 5], ['icmp-echo', 8],
  ['icmp-routeradvert', 9], ['icmp-routersolicit', 10], ['icmp-timxceed', 11], ['icmp-paramprob', 12],
  ['icmp-tstamp', 13], ['icmp-tstampreply', 14], ['icmp-ireq', 15], ['icmp-ireqreply', 16], ['icmp-maskreq', 17],
  ['icmp-maskreply', 18],
  ['tcp-fin', 0x01], ['tcp-syn', 0x02], ['tcp-rst', 0x04], ['tcp-push', 0x08], ['tcp-ack', 0x10], ['tcp-urg', 0x20],
  ['tcp-ece', 0x40], ['tcp-cwr', 0x80],
]);

/** /etc/protocols names tcpdump accepts after `proto`. */
const IP_PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ['ip', 0], ['icmp', 1], ['igmp', 2], ['ipencap', 4], ['tcp', 6], ['egp', 8], ['pup', 12], ['udp', 17], ['idp', 22],
  ['ipv6', 41], ['rsvp', 46], ['gre', 47], ['esp', 50], ['ah', 51], ['ipv6-icmp', 58], ['ospf', 89], ['pim', 103],
  ['vrrp', 112], ['l2tp', 115], ['sctp', 132],
]);

const ETH_P_IP = 0x0800;
const ETH_P_ARP = 0x0806;
const ETH_P_RARP = 0x8035;

// --- lexer (libpcap scanner.l: ids may contain '-' and '.', so `tcp-syn` and `1-1024` are one token) ---

type TokKind = 'id' | 'num' | 'op' | 'eof';
interface Token {
  kind: TokKind;
  text: string;
  col: number;
}

const ID_RE = /[A-Za-z0-9_\\]([-_.A-Za-z0-9]*[.A-Za-z0-9_])?/y;
const MAC_RE = /[0-9a-fA-F]{1,2}([:.-])[0-9a-fA-F]{1,2}(\1[0-9a-fA-F]{1,2}){4}(?![-_.:A-Za-z0-9])/y;
const OPS = ['&&', '||', '<<', '>>', '<=', '>=', '!=', '==', '(', ')', '[', ']', ':', '!', '<', '>', '=', '+', '-', '*', '/', '%', '&', '|', '^'];

function tokenize(text: string): Token[] | FilterSyntaxError {
  const toks: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') { i++; continue; }
    MAC_RE.lastIndex = i;
    const mac = MAC_RE.exec(text);
    if (mac) {
      toks.push({ kind: 'id', text: mac[0], col: i + 1 });
      i += mac[0].length;
      continue;
    }
    ID_RE.lastIndex = i;
    const m = ID_RE.exec(text);
    if (m) {
      const t = m[0];
      const isNum = /^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(t);
      toks.push({ kind: isNum ? 'num' : 'id', text: t, col: i + 1 });
      i += t.length;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) return new FilterSyntaxError("can't parse filter expression: syntax error", i + 1);
    toks.push({ kind: 'op', text: op, col: i + 1 });
    i += op.length;
  }
  toks.push({ kind: 'eof', text: '', col: text.length + 1 });
  return toks;
}

// --- parser ---

type ProtoQ = 'default' | 'ether' | 'link' | 'ip' | 'arp' | 'rarp' | 'tcp' | 'udp' | 'icmp';
type TypeQ = 'default' | 'host' | 'net' | 'port' | 'portrange' | 'proto';
interface Qual {
  proto: ProtoQ;
  dir: Dir | 'default';
  type: TypeQ;
}

const PROTO_WORDS: ReadonlySet<string> = new Set(['ether', 'link', 'ip', 'arp', 'rarp', 'tcp', 'udp', 'icmp']);
const TYPE_WORDS: ReadonlySet<string> = new Set(['host', 'net', 'port', 'portrange', 'proto']);
const LOAD_BASES: ReadonlySet<string> = new Set(['ether', 'link', 'ip', 'arp', 'rarp', 'tcp', 'udp', 'icmp']);
const KEYWORDS: ReadonlySet<string> = new Set([
  ...PROTO_WORDS, ...TYPE_WORDS, 'src', 'dst', 'and', 'or', 'not', 'less', 'greater', 'len', 'mask', 'broadcast', 'multicast',
]);

class Fail {
  constructor(readonly err: FilterSyntaxError) {}
}

const SYNTAX = "can't parse filter expression: syntax error";

class Parser {
  private pos = 0;
  /** Qualifiers of the last primitive, inherited by a bare id after and/or. */
  private last: Qual = { proto: 'default', dir: 'default', type: 'default' };

  constructor(private readonly toks: Token[]) {}

  private peek(n = 0): Token {
    return this.toks[Math.min(this.pos + n, this.toks.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }

  private is(text: string, n = 0): boolean {
    const t = this.peek(n);
    return t.kind !== 'eof' && t.text === text;
  }

  private syntax(t: Token = this.peek()): never {
    throw new Fail(new FilterSyntaxError(SYNTAX, t.col));
  }

  private semantic(message: string, t: Token = this.peek()): never {
    throw new Fail(new FilterSyntaxError(message, t.col));
  }

  private expect(text: string): void {
    if (!this.is(text)) this.syntax();
    this.next();
  }

  parseAll(): FilterNode {
    if (this.peek().kind === 'eof') return { k: 'true' };
    const e = this.expr();
    if (this.peek().kind !== 'eof') this.syntax();
    return e;
  }

  private isAnd(): boolean {
    return this.is('and') || this.is('&&');
  }

  private isOr(): boolean {
    return this.is('or') || this.is('||');
  }

  private expr(): FilterNode {
    let l = this.term();
    for (;;) {
      if (this.isAnd()) { this.next(); l = { k: 'and', l, r: this.term() }; }
      else if (this.isOr()) { this.next(); l = { k: 'or', l, r: this.term() }; }
      else return l;
    }
  }

  private term(): FilterNode {
    if (this.is('not') || this.is('!')) {
      this.next();
      return { k: 'not', e: this.term() };
    }
    return this.primary();
  }

  private primary(): FilterNode {
    // A relational expression (`tcp[13] & 2 != 0`, `(len) > 100`) and a boolean
    // group both may start with '(' or a protocol name: try arithmetic first.
    const save = this.pos;
    const rel = this.tryRelational();
    if (rel) return rel;
    this.pos = save;
    if (this.is('(')) {
      this.next();
      const e = this.expr();
      this.expect(')');
      return e;
    }
    return this.primitive();
  }

  private tryRelational(): FilterNode | null {
    try {
      const l = this.arith();
      const t = this.peek();
      const ops: Record<string, RelOp> = { '>': '>', '<': '<', '>=': '>=', '<=': '<=', '=': '=', '==': '=', '!=': '!=' };
      const op = t.kind === 'op' ? ops[t.text] : undefined;
      if (!op) return null;
      this.next();
      const r = this.arith();
      return { k: 'rel', op, l, r };
    } catch (e) {
      if (e instanceof Fail && e.err.message !== SYNTAX) throw e; // semantic errors (bad size, overflow) stand
      return null;
    }
  }

  // arith: precedence as grammar.y: | lowest, then &, then << >>, then + -, then * / %, unary -.
  private arith(): Arith {
    return this.arithOr();
  }

  private arithOr(): Arith {
    let l = this.arithAnd();
    while (this.is('|') || this.is('^')) { const op = this.next().text as ArithOp; l = { k: 'bin', op, l, r: this.arithAnd() }; }
    return l;
  }

  private arithAnd(): Arith {
    let l = this.arithShift();
    while (this.is('&')) { this.next(); l = { k: 'bin', op: '&', l, r: this.arithShift() }; }
    return l;
  }

  private arithShift(): Arith {
    let l = this.arithAdd();
    while (this.is('<<') || this.is('>>')) { const op = this.next().text as ArithOp; l = { k: 'bin', op, l, r: this.arithAdd() }; }
    return l;
  }

  private arithAdd(): Arith {
    let l = this.arithMul();
    while (this.is('+') || this.is('-')) { const op = this.next().text as ArithOp; l = { k: 'bin', op, l, r: this.arithMul() }; }
    return l;
  }

  private arithMul(): Arith {
    let l = this.arithUnary();
    while (this.is('*') || this.is('/') || this.is('%')) {
      const opTok = this.next();
      const r = this.arithUnary();
      if ((opTok.text === '/' || opTok.text === '%') && r.k === 'num' && r.v === 0) {
        this.semantic(opTok.text === '/' ? 'division by zero' : 'modulus by zero', opTok);
      }
      l = { k: 'bin', op: opTok.text as ArithOp, l, r };
    }
    return l;
  }

  private arithUnary(): Arith {
    if (this.is('-')) { this.next(); return { k: 'neg', e: this.arithUnary() }; }
    const t = this.peek();
    if (t.kind === 'num') { this.next(); return { k: 'num', v: this.number(t) }; }
    if (t.kind === 'op' && t.text === '(') {
      this.next();
      const e = this.arith();
      this.expect(')');
      return e;
    }
    if (t.kind === 'id') {
      if (t.text === 'len') { this.next(); return { k: 'len' }; }
      const c = NAMED_CONSTANTS.get(t.text);
      if (c !== undefined) { this.next(); return { k: 'num', v: c }; }
      if (LOAD_BASES.has(t.text) && this.is('[', 1)) {
        this.next();
        this.next();
        const off = this.arith();
        let size: 1 | 2 | 4 = 1;
        if (this.is(':')) {
          this.next();
          const st = this.peek();
          if (st.kind !== 'num') this.syntax();
          this.next();
          const s = this.number(st);
          if (s !== 1 && s !== 2 && s !== 4) this.semantic('data size must be 1, 2, or 4', st);
          size = s;
        }
        this.expect(']');
        const base: LoadBase = t.text === 'ether' ? 'link' : t.text === 'rarp' ? 'arp' : (t.text as LoadBase);
        return { k: 'load', base, off, size };
      }
    }
    return this.syntax();
  }

  /** Decimal, 0x hex or leading-0 octal, as libpcap's stoulen; refuses more than 32 bits. */
  private number(t: Token): number {
    const s = t.text;
    let v: number;
    if (/^0[xX]/.test(s)) v = parseInt(s.slice(2), 16);
    else if (s.length > 1 && s.startsWith('0')) {
      if (/[89]/.test(s)) this.semantic(`number ${s} contains non-octal digit`, t);
      v = parseInt(s, 8);
    } else v = Number(s);
    if (!(v <= 0xffffffff)) this.semantic(`number ${s} overflows 32 bits`, t);
    return v;
  }

  // --- primitives ---

  private primitive(): FilterNode {
    const t = this.peek();
    if (t.kind === 'eof' || t.kind === 'op') return this.syntax();
    if (t.text === 'less' || t.text === 'greater') {
      this.next();
      const nt = this.peek();
      if (nt.kind !== 'num') this.syntax();
      this.next();
      const v = this.number(nt);
      return { k: 'rel', op: t.text === 'less' ? '<=' : '>=', l: { k: 'len' }, r: { k: 'num', v } };
    }
    const q: Qual = { proto: 'default', dir: 'default', type: 'default' };
    let sawQual = false;
    if (PROTO_WORDS.has(t.text)) { q.proto = t.text as ProtoQ; this.next(); sawQual = true; }
    const d = this.peek();
    if (d.text === 'src' || d.text === 'dst') {
      this.next();
      sawQual = true;
      if ((this.is('or') || this.is('and')) && (this.is('src', 1) || this.is('dst', 1)) && this.peek(1).text !== d.text) {
        q.dir = this.next().text === 'or' ? 'src or dst' : 'src and dst';
        this.next();
      } else q.dir = d.text;
    }
    const ty = this.peek();
    if (TYPE_WORDS.has(ty.text)) { q.type = ty.text as TypeQ; this.next(); sawQual = true; }
    if (q.proto !== 'default' && q.dir === 'default' && q.type === 'default') {
      if (this.peek().kind === 'eof' || this.isAnd() || this.isOr() || this.is(')')) {
        this.last = q;
        return protoNode(q.proto);
      }
      if (this.peek().text === 'broadcast' || this.peek().text === 'multicast') return this.castPrimitive(q.proto);
    }
    if (!sawQual && (t.text === 'broadcast' || t.text === 'multicast')) return this.castPrimitive('default');
    const idTok = this.peek();
    if (idTok.kind !== 'id' && idTok.kind !== 'num') return this.syntax();
    if (!sawQual) {
      // A bare id: inherit the qualifiers of the previous primitive (libpcap's `$<blk>0`).
      if (KEYWORDS.has(idTok.text)) return this.syntax();
      Object.assign(q, this.last);
    }
    this.next();
    this.last = { ...q };
    return this.qualified(q, idTok);
  }

  private castPrimitive(proto: ProtoQ): FilterNode {
    const t = this.next();
    if (proto === 'ip') {
      if (t.text === 'multicast') return { k: 'net', dir: 'dst', addr: 0xe0000000, mask: 0xf0000000, ip: true, arp: false };
      return this.semantic('only link-layer/IP broadcast filters supported', t);
    }
    return { k: 'ehost', dir: 'dst', mac: 0xffffffffffff, cast: t.text === 'broadcast' ? 'broadcast' : 'multicast' };
  }

  private qualified(q: Qual, t: Token): FilterNode {
    const dir: Dir = q.dir === 'default' ? 'src or dst' : q.dir;
    const text = t.text.startsWith('\\') ? t.text.slice(1) : t.text;
    switch (q.type) {
      case 'proto': {
        const v = t.kind === 'num' ? this.number(t) : IP_PROTOCOLS.get(text);
        if (q.proto === 'ether' || q.proto === 'link') {
          const ev = t.kind === 'num' ? v! : ({ ip: ETH_P_IP, arp: ETH_P_ARP, rarp: ETH_P_RARP } as Record<string, number>)[text];
          if (ev === undefined) this.semantic(`unknown ether proto '${text}'`, t);
          return { k: 'ethertype', v: ev };
        }
        if (v === undefined) this.semantic(`unknown ip proto '${text}'`, t);
        if (q.proto !== 'default' && q.proto !== 'ip') this.semantic(`'${q.proto}' modifier applied to 'proto'`, t);
        return { k: 'ipproto', v };
      }
      case 'port':
      case 'portrange': {
        if (q.proto !== 'default' && q.proto !== 'tcp' && q.proto !== 'udp') this.semantic(`illegal qualifier of 'port'`, t);
        let lo: number;
        let hi: number;
        if (q.type === 'portrange') {
          const m = /^([^-]+)-([^-]+)$/.exec(text);
          if (!m) return this.syntax(t);
          lo = this.port(m[1]!, t);
          hi = this.port(m[2]!, t);
          if (lo > hi) [lo, hi] = [hi, lo];
        } else {
          lo = hi = this.port(text, t);
        }
        return { k: 'port', dir, lo, hi, tcp: q.proto !== 'udp', udp: q.proto !== 'tcp' };
      }
      default:
        break;
    }
    if (q.proto === 'ether' || q.proto === 'link') {
      const mac = parseMac(text);
      if (mac === null) return this.semantic(`unknown ether host '${text}'`, t);
      return { k: 'ehost', dir, mac };
    }
    if (q.proto === 'tcp' || q.proto === 'udp' || q.proto === 'icmp') {
      return this.semantic(`'${q.proto}' modifier applied to ${q.type === 'net' ? 'net' : 'host'}`, t);
    }
    const ip = q.proto !== 'arp' && q.proto !== 'rarp';
    const arp = q.proto !== 'ip';
    if (q.type === 'net') {
      const { addr, mask } = this.network(text, t);
      return { k: 'net', dir, addr, mask, ip, arp };
    }
    // host, or a bare id with no type: a full dotted quad is a host; fewer parts name a network (`net 10`).
    if (/^[0-9.]+$/.test(text)) {
      const parts = text.split('.').filter((p) => p !== '');
      if (q.type === 'default' && (parts.length < 4 || this.is('/'))) {
        const { addr, mask } = this.network(text, t);
        return { k: 'net', dir, addr, mask, ip, arp };
      }
      if (parts.length !== 4) return this.semantic(`invalid IPv4 address '${text}'`, t);
      const a = parseIpv4(text);
      if (a === null) return this.semantic(`invalid IPv4 address '${text}'`, t);
      return { k: 'net', dir, addr: a, mask: 0xffffffff, ip, arp };
    }
    // Simulated hosts have no resolver: any other name is unknown.
    return this.semantic(`unknown host '${text}'`, t);
  }

  private port(text: string, t: Token): number {
    if (/^[0-9]+$/.test(text) || /^0[xX][0-9a-fA-F]+$/.test(text)) {
      const v = Number(text);
      if (v > 65535) this.semantic(`illegal port number ${v} > 65535`, t);
      return v;
    }
    const p = servicePort(text);
    if (p < 0) this.semantic(`unknown port '${text}'`, t);
    return p;
  }

  /** `10`, `10.1`, `10.1.2`, `10.1.2.0/24`, `10.0.0.0 mask 255.0.0.0` (gen_ncode / gen_mcode). */
  private network(textIn: string, t: Token): { addr: number; mask: number } {
    let text = textIn;
    if (this.is('/') && !/^[0-9.]+$/.test(text)) this.syntax();
    const slash = text.indexOf('/');
    const addrText = slash >= 0 ? text.slice(0, slash) : text;
    const parts = addrText.split('.');
    if (parts.length > 4 || parts.some((p) => !/^[0-9]+$/.test(p) || Number(p) > 255)) {
      this.semantic(`invalid IPv4 address '${addrText}'`, t);
    }
    let addr = 0;
    for (let i = 0; i < 4; i++) addr = addr * 256 + (i < parts.length ? Number(parts[i]) : 0);
    let mask: number;
    if (this.is('/')) {
      // `10.0.0.0/24` lexes as an id, '/', a number (grammar.y: HID '/' NUM).
      this.next();
      const lt = this.next();
      if (lt.kind !== 'num') this.syntax(lt);
      const len = this.number(lt);
      if (len > 32) this.semantic('mask length must be <= 32', lt);
      mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
      text = `${text}/${lt.text}`;
    } else if (slash >= 0) {
      const lenText = text.slice(slash + 1);
      if (!/^[0-9]+$/.test(lenText)) this.syntax(t);
      const len = Number(lenText);
      if (len > 32) this.semantic('mask length must be <= 32', t);
      mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    } else if (this.is('mask')) {
      this.next();
      const mt = this.next();
      const m = parseIpv4(mt.text);
      if (m === null) this.semantic(`invalid IPv4 address '${mt.text}'`, mt);
      mask = m;
    } else {
      mask = parts.length >= 4 ? 0xffffffff : (0xffffffff << (32 - 8 * parts.length)) >>> 0;
    }
    if (((addr & ~mask) >>> 0) !== 0) this.semantic(`non-network bits set in "${text}"`, t);
    return { addr, mask };
  }
}

function protoNode(p: ProtoQ): FilterNode {
  switch (p) {
    case 'ip': return { k: 'ethertype', v: ETH_P_IP };
    case 'arp': return { k: 'ethertype', v: ETH_P_ARP };
    case 'rarp': return { k: 'ethertype', v: ETH_P_RARP };
    case 'tcp': return { k: 'ipproto', v: 6 };
    case 'udp': return { k: 'ipproto', v: 17 };
    case 'icmp': return { k: 'ipproto', v: 1 };
    default: return { k: 'true' };
  }
}

function parseMac(text: string): number | null {
  const parts = text.split(/[:.-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return null;
  let v = 0;
  for (const p of parts) v = v * 256 + parseInt(p, 16);
  return v;
}

/** Parses a filter (the words after tcpdump's options, joined by spaces). */
export function parseFilter(text: string): FilterNode | FilterSyntaxError {
  const toks = tokenize(text);
  if (toks instanceof FilterSyntaxError) return toks;
  try {
    return new Parser(toks).parseAll();
  } catch (e) {
    if (e instanceof Fail) return e.err;
    throw e;
  }
}

// --- evaluation ---

/** Thrown by a load past the captured bytes: BPF returns 0 for the whole program. */
const ABORT = Symbol('bpf-abort');

/** Per-packet facts the primitives read, filled once per packet (no allocation). */
class PacketView {
  b: Uint8Array = new Uint8Array(0);
  wireLen = 0;
  l3 = 0;
  ethertype = -1;
  /** IPv4 fields, valid when isIp. */
  isIp = false;
  ipHdrLen = 0;
  ipProto = -1;
  fragOffset = 0;
  saddr = 0;
  daddr = 0;
  isArp = false;
  /** Set by a load whose protocol the packet lacks. */
  absent = false;

  prepare(b: Uint8Array, wireLen: number, linktype: number): void {
    this.b = b;
    this.wireLen = wireLen;
    const sll = linktype === LINKTYPE_LINUX_SLL;
    this.l3 = sll ? 16 : 14;
    this.ethertype = b.length >= this.l3 ? (b[this.l3 - 2]! << 8) | b[this.l3 - 1]! : -1;
    const l3 = this.l3;
    this.isIp = this.ethertype === ETH_P_IP && b.length >= l3 + 20;
    if (this.isIp) {
      this.ipHdrLen = (b[l3]! & 0x0f) * 4;
      this.ipProto = b[l3 + 9]!;
      this.fragOffset = ((b[l3 + 6]! << 8) | b[l3 + 7]!) & 0x1fff;
      this.saddr = u32(b, l3 + 12);
      this.daddr = u32(b, l3 + 16);
    }
    this.isArp = (this.ethertype === ETH_P_ARP || this.ethertype === ETH_P_RARP) && b.length >= l3 + 28;
  }
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function matchDir(dir: Dir, s: boolean, d: boolean): boolean {
  switch (dir) {
    case 'src': return s;
    case 'dst': return d;
    case 'src or dst': return s || d;
    case 'src and dst': return s && d;
  }
}

function binop(op: ArithOp, l: number, r: number): number {
  switch (op) {
    case '+': return (l + r) >>> 0;
    case '-': return (l - r) >>> 0;
    case '*': return Math.imul(l, r) >>> 0;
    case '/': if (r === 0) throw ABORT; return Math.floor(l / r) >>> 0;
    case '%': if (r === 0) throw ABORT; return (l % r) >>> 0;
    case '&': return (l & r) >>> 0;
    case '|': return (l | r) >>> 0;
    case '^': return (l ^ r) >>> 0;
    case '<<': return r >= 32 ? 0 : (l << r) >>> 0;
    case '>>': return r >= 32 ? 0 : l >>> r;
  }
}

/**
 * Evaluates an arithmetic expression. A load whose protocol is absent (tcp[]
 * on a UDP packet, or on a later fragment) sets `v.absent`: libpcap ANDs the
 * protocol test into the comparison, so the comparison is false.
 */
function evalArith(a: Arith, v: PacketView): number {
  switch (a.k) {
    case 'num': return a.v;
    case 'len': return v.wireLen;
    case 'neg': return (-evalArith(a.e, v)) >>> 0;
    case 'bin': return binop(a.op, evalArith(a.l, v), evalArith(a.r, v));
    case 'load': {
      let base: number;
      switch (a.base) {
        case 'link': base = 0; break;
        case 'ip': if (!v.isIp) { v.absent = true; return 0; } base = v.l3; break;
        case 'arp': if (!v.isArp) { v.absent = true; return 0; } base = v.l3; break;
        default: {
          const proto = a.base === 'tcp' ? 6 : a.base === 'udp' ? 17 : 1;
          if (!v.isIp || v.ipProto !== proto || v.fragOffset !== 0) { v.absent = true; return 0; }
          base = v.l3 + v.ipHdrLen;
        }
      }
      const at = base + evalArith(a.off, v);
      if (at + a.size > v.b.length) throw ABORT;
      const b = v.b;
      if (a.size === 1) return b[at]!;
      if (a.size === 2) return (b[at]! << 8) | b[at + 1]!;
      return u32(b, at);
    }
  }
}

function evalRel(op: RelOp, l: number, r: number): boolean {
  switch (op) {
    case '>': return l > r;
    case '<': return l < r;
    case '>=': return l >= r;
    case '<=': return l <= r;
    case '=': return l === r;
    case '!=': return l !== r;
  }
}

function evalNode(n: FilterNode, v: PacketView): boolean {
  switch (n.k) {
    case 'true': return true;
    case 'and': return evalNode(n.l, v) && evalNode(n.r, v);
    case 'or': return evalNode(n.l, v) || evalNode(n.r, v);
    case 'not': return !evalNode(n.e, v);
    case 'ethertype': return v.ethertype === n.v;
    case 'ipproto': return v.isIp && v.ipProto === n.v;
    case 'net': {
      const m = n.mask;
      if (n.ip && v.isIp && matchDir(n.dir, ((v.saddr & m) >>> 0) === n.addr, ((v.daddr & m) >>> 0) === n.addr)) return true;
      if (n.arp && v.isArp) {
        const spa = u32(v.b, v.l3 + 14);
        const tpa = u32(v.b, v.l3 + 24);
        return matchDir(n.dir, ((spa & m) >>> 0) === n.addr, ((tpa & m) >>> 0) === n.addr);
      }
      return false;
    }
    case 'port': {
      if (!v.isIp || v.fragOffset !== 0) return false;
      if (!((n.tcp && v.ipProto === 6) || (n.udp && v.ipProto === 17))) return false;
      const o = v.l3 + v.ipHdrLen;
      if (o + 4 > v.b.length) throw ABORT;
      const sp = (v.b[o]! << 8) | v.b[o + 1]!;
      const dp = (v.b[o + 2]! << 8) | v.b[o + 3]!;
      return matchDir(n.dir, sp >= n.lo && sp <= n.hi, dp >= n.lo && dp <= n.hi);
    }
    case 'ehost': {
      if (v.l3 !== 14) return false; // Linux cooked frames carry only the sender's address
      if (v.b.length < 12) throw ABORT;
      const dst = (v.b[0]! * 0x10000 + ((v.b[1]! << 8) | v.b[2]!)) * 0x1000000 + ((v.b[3]! << 16) | (v.b[4]! << 8) | v.b[5]!);
      const src = (v.b[6]! * 0x10000 + ((v.b[7]! << 8) | v.b[8]!)) * 0x1000000 + ((v.b[9]! << 16) | (v.b[10]! << 8) | v.b[11]!);
      if (n.cast === 'multicast') return (v.b[0]! & 1) !== 0;
      return matchDir(n.dir, src === n.mac, dst === n.mac);
    }
    case 'rel': {
      v.absent = false;
      const l = evalArith(n.l, v);
      const r = evalArith(n.r, v);
      return !v.absent && evalRel(n.op, l, r);
    }
  }
}

/** A compiled filter: `matches` runs it over one captured frame. */
export class PacketFilter {
  private readonly view = new PacketView();

  constructor(readonly ast: FilterNode, readonly linktype: number) {}

  /** `bytes` are the captured bytes (maybe cut by the snaplen), `wireLen` the packet's length. */
  matches(bytes: Uint8Array, wireLen: number = bytes.length): boolean {
    if (this.ast.k === 'true') return true;
    this.view.prepare(bytes, wireLen, this.linktype);
    try {
      return evalNode(this.ast, this.view);
    } catch (e) {
      if (e === ABORT) return false;
      throw e;
    }
  }
}

/** The first Ethernet address test in the tree, if any. */
function etherTest(n: FilterNode): Extract<FilterNode, { k: 'ehost' }> | null {
  switch (n.k) {
    case 'and': case 'or': return etherTest(n.l) ?? etherTest(n.r);
    case 'not': return etherTest(n.e);
    case 'ehost': return n;
    default: return null;
  }
}

/** Parses and compiles a filter for frames of `linktype` (gen_ehostop refuses Linux cooked frames). */
export function compileFilter(text: string, linktype: number): PacketFilter | FilterSyntaxError {
  const ast = parseFilter(text);
  if (ast instanceof FilterSyntaxError) return ast;
  const eth = linktype === LINKTYPE_LINUX_SLL ? etherTest(ast) : null;
  if (eth) {
    return new FilterSyntaxError(eth.cast ? 'not a broadcast link'
      : 'ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel', 1);
  }
  return new PacketFilter(ast, linktype);
}
