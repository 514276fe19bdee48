// `tcpdump -r FILE [options] [filter]`: decode a savefile's packets through the
// filter and the printer, or copy the matching ones to -w (pcap_offline_read).

import { readPcap } from '../pcap/reader.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL } from '../../wire/frame.js';
import { compileFilter, FilterSyntaxError } from './filter.js';
import type { TcpdumpOptions } from './options.js';
import { TcpdumpPrinter } from './print.js';

export interface ToolOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** pcap_datalink_val_to_name / _description, as the "reading from file" line shows them. */
export function linktypeDescription(linktype: number): string {
  if (linktype === LINKTYPE_ETHERNET) return 'EN10MB (Ethernet)';
  if (linktype === LINKTYPE_LINUX_SLL) return 'LINUX_SLL (Linux cooked v1)';
  return `DLT_${linktype}`;
}

/** Prints the packets of the savefile `bytes` (named `opts.readFile`) that pass the filter. */
export function tcpdumpRead(opts: TcpdumpOptions, bytes: Uint8Array): ToolOutput {
  const name = opts.readFile ?? '-';
  const pcap = readPcap(bytes);
  if (!('records' in pcap)) return { stdout: '', stderr: `tcpdump: ${name}: ${pcap.message}\n`, exitCode: 1 };
  const stderr = `reading from file ${name}, link-type ${linktypeDescription(pcap.linktype)}, snapshot length ${pcap.snaplen}\n`;
  const filter = compileFilter(opts.filter, pcap.linktype);
  if (filter instanceof FilterSyntaxError) return { stdout: '', stderr: `${stderr}tcpdump: ${filter.message}\n`, exitCode: 1 };
  const printer = new TcpdumpPrinter(opts.print, pcap.linktype);
  const lines: string[] = [];
  let n = 0;
  for (const r of pcap.records) {
    if (!filter.matches(r.data, r.origLen)) continue;
    lines.push(printer.format(r.sec, r.nsec, r.data, r.origLen));
    if (opts.count > 0 && ++n >= opts.count) break;
  }
  return { stdout: lines.length ? lines.join('\n') + '\n' : '', stderr, exitCode: 0 };
}
