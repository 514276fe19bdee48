// IPv4 addresses as unsigned 32-bit numbers, and their text forms.

export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v;
}

export function formatIpv4(a: number): string {
  return `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Netmask of a prefix length, as an unsigned number. */
export function prefixMask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

export function inPrefix(addr: number, net: number, len: number): boolean {
  const m = prefixMask(len);
  return ((addr & m) >>> 0) === ((net & m) >>> 0);
}

export interface Cidr {
  addr: number;
  len: number;
}

/** `10.0.0.1/24` → {addr, len}; a bare address is /32. Null if malformed. */
export function parseCidr(text: string): Cidr | null {
  const [a, l] = text.split('/');
  const addr = parseIpv4(a ?? '');
  if (addr === null) return null;
  if (l === undefined) return { addr, len: 32 };
  if (!/^\d{1,2}$/.test(l)) return null;
  const len = Number(l);
  if (len > 32) return null;
  return { addr, len };
}

export function formatMac(mac: number): string {
  const out: string[] = [];
  for (let i = 5; i >= 0; i--) out.push((Math.floor(mac / 2 ** (8 * i)) % 256).toString(16).padStart(2, '0'));
  return out.join(':');
}
