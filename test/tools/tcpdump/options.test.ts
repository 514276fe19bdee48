import { describe, expect, it } from 'vitest';
import { parseTcpdumpArgs, TcpdumpArgError, type TcpdumpOptions } from '../../../src/tools/tcpdump/options.js';

function parse(...argv: string[]): TcpdumpOptions {
  const o = parseTcpdumpArgs(argv);
  if (o instanceof TcpdumpArgError) throw new Error(o.error);
  return o;
}

describe('parseTcpdumpArgs', () => {
  it('reads the seed document command lines', () => {
    const o = parse('-i', 'eth0', '-w', 'capture.pcap', '-C', '100');
    expect([o.interface, o.writeFile, o.fileSizeBytes]).toEqual(['eth0', 'capture.pcap', 100_000_000]);
    expect(parse('-i', 'eth0', '-c', '1000', '-w', 'capture.pcap').count).toBe(1000);
    expect(parse('-i', 'eth0', '-vvv').print.verbose).toBe(3);
    expect(parse('-i', 'any', '-X').print.hexAscii).toBe(true);
  });

  it('joins filter words wherever they stand, as glibc getopt permutes them', () => {
    const o = parse('-i', 'eth0', 'tcp port 443', '-w', 'capture.pcap');
    expect([o.filter, o.writeFile]).toEqual(['tcp port 443', 'capture.pcap']);
    expect(parse('-r', 'f', 'tcp', 'and', 'port', '80').filter).toBe('tcp and port 80');
    expect(parse('--', '-n').filter).toBe('-n');
  });

  it('takes combined short flags and attached arguments', () => {
    const o = parse('-nnvvXec5', '-s0', '-tttt');
    expect(o.print).toEqual({ numeric: true, verbose: 2, linkHeader: true, hexAscii: true, timestamps: 'date' });
    expect([o.count, o.snaplen]).toEqual([5, 262144]);
  });

  it('refuses an unknown option with tcpdump\'s message, usage and exit status 1', () => {
    const e = parseTcpdumpArgs(['-z']) as TcpdumpArgError;
    expect(e.exitCode).toBe(1);
    const k = parseTcpdumpArgs(['-nk']) as TcpdumpArgError;
    expect(k.error.split('\n')[0]).toBe("tcpdump: invalid option -- 'k'");
    expect(k.error).toContain('Usage: tcpdump [-AbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]');
    expect((parseTcpdumpArgs(['-i']) as TcpdumpArgError).error.split('\n')[0]).toBe("tcpdump: option requires an argument -- 'i'");
    expect((parseTcpdumpArgs(['--foo']) as TcpdumpArgError).error.split('\n')[0]).toBe("tcpdump: unrecognized option '--foo'");
  });

  it('refuses bad counts, sizes and snaplens the way tcpdump words them', () => {
    expect((parseTcpdumpArgs(['-c', '0']) as TcpdumpArgError).error).toBe('tcpdump: invalid packet count 0');
    expect((parseTcpdumpArgs(['-C', '1k', '-w', 'x']) as TcpdumpArgError).error).toBe('tcpdump: invalid file size 1k');
    expect((parseTcpdumpArgs(['-s', 'abc']) as TcpdumpArgError).error).toBe('tcpdump: invalid snaplen abc (must be >= 0 and <= 262144)');
  });
});
