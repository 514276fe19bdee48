// A sweep worker thread: runs the variants the pool hands it, one at a time.

import { parentPort } from 'node:worker_threads';
import { runVariant, type VariantJob } from '../sweep/metrics.js';
import '../tools/index.js';

parentPort!.on('message', (job: VariantJob) => {
  try {
    parentPort!.postMessage({ ok: true, metrics: runVariant(job) });
  } catch (e) {
    parentPort!.postMessage({ ok: false, index: job.index, message: (e as Error).message });
  }
});
