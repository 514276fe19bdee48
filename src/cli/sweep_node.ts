// `pktpath sweep`: runs an experiment's variants on a pool of worker threads
// (--jobs, default os.availableParallelism()), shows a progress bar on a
// terminal (stderr), and writes the table and plots. Results are ordered by
// variant index, so the output is the same for any --jobs.

import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseExperiment, type Experiment } from '../sweep/experiment.js';
import { runVariant, type VariantJob, type VariantMetrics } from '../sweep/metrics.js';
import { formatDiagnostic } from '../scenario/diagnostics.js';
import { UsageError } from './load.js';
// The same tools as in the workers, so `at:` commands behave alike for any --jobs.
import '../tools/index.js';

export function loadExperimentFile(file: string): Experiment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const res = parseExperiment(text, file, (p) => {
    const path = resolve(dirname(file), p);
    try {
      return { text: readFileSync(path, 'utf8'), file: p.startsWith('/') ? p : `${dirname(file)}/${p}`.replace(/^\.\//, '') };
    } catch {
      return null;
    }
  });
  if (!res.ok) throw new UsageError(res.errors.map(formatDiagnostic).join('\n'));
  return res.experiment;
}

function progress(done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const w = 30;
  const filled = Math.round((done / total) * w);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(w - filled)}] ${done}/${total} variants`);
  if (done === total) process.stderr.write('\r\x1b[K');
}

function jobsFor(ex: Experiment): VariantJob[] {
  return ex.variants.map((v) => ({ index: v.index, text: v.text, file: `${ex.baseFile} (variant ${v.index})`, receiver: ex.receiver }));
}

/** Runs every variant; `jobs` worker threads (1: in this thread). Results in variant order. */
export async function runSweep(ex: Experiment, jobs = availableParallelism()): Promise<VariantMetrics[]> {
  const queue = jobsFor(ex);
  const total = queue.length;
  const results: VariantMetrics[] = [];
  progress(0, total);
  if (jobs <= 1) {
    for (const j of queue) {
      results.push(runVariant(j));
      progress(results.length, total);
    }
    return results.sort((a, b) => a.index - b.index);
  }
  const n = Math.min(jobs, total);
  await new Promise<void>((resolveAll, reject) => {
    let next = 0;
    let live = n;
    let failed = false;
    for (let w = 0; w < n; w++) {
      const worker = new Worker(new URL('./sweep_worker_node.js', import.meta.url));
      const feed = (): void => {
        if (failed || next >= total) {
          void worker.terminate();
          if (--live === 0 && !failed) resolveAll();
          return;
        }
        worker.postMessage(queue[next++]);
      };
      worker.on('message', (m: { ok: true; metrics: VariantMetrics } | { ok: false; index: number; message: string }) => {
        if (!m.ok) {
          failed = true;
          void worker.terminate();
          reject(new UsageError(`variant ${m.index}: ${m.message}`, 1));
          return;
        }
        results.push(m.metrics);
        progress(results.length, total);
        feed();
      });
      worker.on('error', (e) => {
        failed = true;
        reject(e);
      });
      feed();
    }
  });
  return results.sort((a, b) => a.index - b.index);
}
