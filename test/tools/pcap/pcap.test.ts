import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PcapError, readPcap, type PcapFile } from '../../../src/tools/pcap/reader.js';
import { MemoryPcapSink, PcapWriter, RotatingPcapWriter, savefileName } from '../../../src/tools/pcap/writer.js';
import { LINKTYPE_ETHERNET } from '../../../src/wire/frame.js';

function write(records: Array<{ ts: number; bytes: Uint8Array }>, nanos = false, snaplen = 0): Uint8Array {
  const sink = new MemoryPcapSink();
  const w = new PcapWriter({ linktype: LINKTYPE_ETHERNET, nanos, snaplen }, (c) => sink.write(c));
  for (const r of records) w.writeRecord(r.ts, r.bytes);
  return sink.bytes();
}

function ok(x: PcapFile | PcapError): PcapFile {
  if (x instanceof PcapError) throw new Error(x.message);
  return x;
}

/** The same file with every header field byte-swapped (a big-endian writer's output). */
function swapEndianness(b: Uint8Array): Uint8Array {
  const out = b.slice();
  const swap = (o: number, n: number): void => { for (let i = 0; i < n / 2; i++) [out[o + i], out[o + n - 1 - i]] = [out[o + n - 1 - i]!, out[o + i]!]; };
  swap(0, 4); swap(4, 2); swap(6, 2); swap(8, 4); swap(12, 4); swap(16, 4); swap(20, 4);
  let off = 24;
  while (off < b.length) {
    const caplen = new DataView(b.buffer, b.byteOffset).getUint32(off + 8, true);
    for (let f = 0; f < 16; f += 4) swap(off + f, 4);
    off += 16 + caplen;
  }
  return out;
}

const recordsArb = fc.array(fc.record({ ts: fc.integer({ min: 0, max: 2 ** 40 }), bytes: fc.uint8Array({ minLength: 1, maxLength: 300 }) }), { maxLength: 20 });

describe('pcap writer and reader', () => {
  it('read back what was written, in either byte order, with microsecond or nanosecond stamps', () => {
    fc.assert(fc.property(recordsArb, fc.boolean(), fc.boolean(), (records, nanos, swapped) => {
      let bytes = write(records, nanos);
      if (swapped) bytes = swapEndianness(bytes);
      const f = ok(readPcap(bytes));
      expect(f.bigEndian).toBe(swapped);
      expect(f.records.map((r) => r.data)).toEqual(records.map((r) => r.bytes));
      f.records.forEach((r, i) => {
        const ts = records[i]!.ts;
        expect(r.sec).toBe(Math.floor(ts / 1e9));
        expect(r.nsec).toBe(nanos ? ts % 1e9 : Math.floor((ts % 1e9) / 1000) * 1000);
      });
    }));
  });

  it('keeps only snaplen bytes of each packet but records its original length', () => {
    const f = ok(readPcap(write([{ ts: 0, bytes: new Uint8Array(100) }], false, 60)));
    expect(f.snaplen).toBe(60);
    expect([f.records[0]!.caplen, f.records[0]!.origLen]).toEqual([60, 100]);
  });

  it('refuses a truncated packet record, naming the byte and what the header promised', () => {
    const bytes = write([{ ts: 0, bytes: new Uint8Array(40) }, { ts: 1, bytes: new Uint8Array(98) }]);
    const e = readPcap(bytes.subarray(0, bytes.length - 58));
    expect(e).toBeInstanceOf(PcapError);
    expect((e as PcapError).message).toBe('pcap: truncated packet record at byte 80: header says 98 bytes, 40 remain');
  });

  it('refuses a bad magic number, an absurd snaplen, a cut file header and a cut record header', () => {
    const good = write([{ ts: 0, bytes: new Uint8Array(10) }]);
    const magic = good.slice(); magic[0] = 0;
    expect((readPcap(magic) as PcapError).message).toBe('pcap: bad magic number 0x00c3b2a1 at byte 0: not a pcap savefile');
    const snap = good.slice(); new DataView(snap.buffer).setUint32(16, 0xffffffff, true);
    expect((readPcap(snap) as PcapError).message).toMatch(/^pcap: absurd snaplen 4294967295 at byte 16/);
    expect((readPcap(good.subarray(0, 10)) as PcapError).message).toBe('pcap: truncated file header at byte 0: needs 24 bytes, 10 remain');
    expect((readPcap(good.subarray(0, 30)) as PcapError).message).toBe('pcap: truncated packet record header at byte 24: needs 16 bytes, 6 remain');
  });

  it('names rotated savefiles as tcpdump does: file, file1, file2 (zero-padded with -W)', () => {
    expect([0, 1, 2, 10].map((i) => savefileName('cap.pcap', i))).toEqual(['cap.pcap', 'cap.pcap1', 'cap.pcap2', 'cap.pcap10']);
    expect(savefileName('cap', 3, 2)).toBe('cap03');
  });

  it('rotates to the next file before a packet once the current one is larger than -C bytes', () => {
    const sinks = new Map<string, MemoryPcapSink>();
    const w = new RotatingPcapWriter('cap', 1000, { linktype: LINKTYPE_ETHERNET }, (name) => { const s = new MemoryPcapSink(); sinks.set(name, s); return s; });
    for (let i = 0; i < 10; i++) w.writeRecord(i, new Uint8Array(284)); // 300-byte records
    w.close();
    // 24 + 3*300 = 924 <= 1000, the 4th record makes 1224 > 1000: rotate before the 5th.
    expect(w.fileNames).toEqual(['cap', 'cap1', 'cap2']);
    expect([...sinks.values()].map((s) => ok(readPcap(s.bytes())).records.length)).toEqual([4, 4, 2]);
    expect([...sinks.values()].every((s) => s.closed)).toBe(true);
  });
});
