// The file edge of the pcap writer and reader (Node only): opens savefiles
// for a RotatingPcapWriter and loads a savefile's bytes for readPcap.

import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { PcapFileOpener, PcapFileSink } from './writer.js';

/** Opens (truncating) `fileName` for writing; chunks are written straight through. */
export const openPcapFile: PcapFileOpener = (fileName: string): PcapFileSink => {
  const fd = openSync(fileName, 'w');
  return {
    write(chunk: Uint8Array): void {
      writeSync(fd, chunk);
    },
    close(): void {
      closeSync(fd);
    },
  };
};

export function readPcapFileBytes(fileName: string): Uint8Array {
  return new Uint8Array(readFileSync(fileName));
}
