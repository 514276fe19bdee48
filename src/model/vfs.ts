// A host's filesystem as the simulated tools see it: regular files by absolute
// path (what `tcpdump -w` writes and `tcpdump -r` reads), plus read-only /proc
// files rendered from the host's state when read. Root's working directory is
// /root, so `tcpdump -w capture.pcap` lands at /root/capture.pcap.

import type { Host } from './host.js';

export type ProcRenderer = (host: Host) => string;

const procFiles = new Map<string, ProcRenderer>();

/** Registers a /proc (or /sys) file; `cat` renders it from the host on each read. */
export function registerProcFile(path: string, render: ProcRenderer): void {
  procFiles.set(path, render);
}

export function procFileNames(): string[] {
  return [...procFiles.keys()].sort();
}

export class Vfs {
  /** Regular files by absolute, normalised path. */
  readonly files = new Map<string, Uint8Array>();
  /** Files a running tool is still writing (tcpdump -w): their bytes so far, joined when read. */
  private readonly growing = new Map<string, () => Uint8Array>();
  readonly home = '/root';
  cwd = '/root';

  constructor(private readonly host: Host) {}

  /** Absolute, normalised path: relative to the working directory, `~` is root's home. */
  resolve(path: string): string {
    let p = path;
    if (p === '~' || p.startsWith('~/')) p = this.home + p.slice(1);
    if (!p.startsWith('/')) p = `${this.cwd}/${p}`;
    const out: string[] = [];
    for (const part of p.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') out.pop();
      else out.push(part);
    }
    return '/' + out.join('/');
  }

  /** Directories exist where files are kept or the host's root tree has them. */
  isDir(path: string): boolean {
    const p = this.resolve(path);
    if (BASE_DIRS.has(p)) return true;
    const prefix = p === '/' ? '/' : p + '/';
    for (const f of this.files.keys()) if (f.startsWith(prefix)) return true;
    for (const f of procFiles.keys()) if (f.startsWith(prefix)) return true;
    return false;
  }

  /** A file's bytes (a /proc file rendered now), or null when there is none. */
  read(path: string): Uint8Array | null {
    const p = this.resolve(path);
    const proc = procFiles.get(p);
    if (proc) return new TextEncoder().encode(proc(this.host));
    const open = this.growing.get(p);
    if (open) return open();
    return this.files.get(p) ?? null;
  }

  /** A file being written: reads see `contents()` until close() puts its final bytes in place. */
  openForWrite(path: string, contents: () => Uint8Array): { close(bytes: Uint8Array): void } {
    const p = this.resolve(path);
    this.files.set(p, new Uint8Array(0));
    this.growing.set(p, contents);
    return {
      close: (bytes) => {
        if (this.growing.get(p) !== contents) return;
        this.growing.delete(p);
        this.files.set(p, bytes);
      },
    };
  }

  /** A file's size in bytes (as ls and stat show it), or null. */
  size(path: string): number | null {
    return this.read(path)?.length ?? null;
  }

  /** Why `path` cannot be created, as strerror says it, or null when it can. */
  writeError(path: string): string | null {
    const p = this.resolve(path);
    if (p.startsWith('/proc/') || p.startsWith('/sys/')) return 'Permission denied';
    if (this.isDir(p)) return 'Is a directory';
    const dir = p.slice(0, p.lastIndexOf('/')) || '/';
    if (!this.isDir(dir)) return 'No such file or directory';
    return null;
  }

  write(path: string, bytes: Uint8Array): void {
    const p = this.resolve(path);
    this.growing.delete(p);
    this.files.set(p, bytes);
  }

  /** Files written on this host, sorted by path. */
  list(): string[] {
    return [...this.files.keys()].sort();
  }
}

/** The directories of a fresh Debian root, so `-w /tmp/x` and `-w /var/tmp/x` work. */
const BASE_DIRS = new Set(['/', '/root', '/tmp', '/var', '/var/tmp', '/var/log', '/home', '/etc', '/proc', '/proc/net', '/sys', '/dev']);

const perHost = new WeakMap<Host, Vfs>();

/** The host's filesystem, created on first use. */
export function hostVfs(host: Host): Vfs {
  let v = perHost.get(host);
  if (!v) perHost.set(host, (v = new Vfs(host)));
  return v;
}
