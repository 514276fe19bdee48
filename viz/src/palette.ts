// Okabe-Ito colours (Okabe & Ito 2008), distinguishable with the common colour
// vision deficiencies; drops also get a ✕ so colour is never the only cue.

export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
} as const;

/** CPU context of a stage, for the per-CPU timeline. */
export type CpuContext = 'hardirq' | 'softirq' | 'process' | 'device';

export const CONTEXT_COLOUR: Record<CpuContext, string> = {
  hardirq: OKABE_ITO.orange,
  softirq: OKABE_ITO.skyBlue,
  process: OKABE_ITO.green,
  device: OKABE_ITO.purple,
};

const DEVICE = new Set(['nic-rx', 'dma-rx', 'dma-tx', 'nic-tx']);
const PROCESS = new Set(['app-send', 'sock-sndbuf', 'app-recv']);

/**
 * The context a stage runs in: the NIC's own work, the hard interrupt, process
 * context for the socket calls, and NET_RX/NET_TX softirq for the rest. (TCP
 * can also transmit from softirq when ACKs clock it; the trace does not say.)
 */
export function stageContext(stage: string): CpuContext {
  if (DEVICE.has(stage)) return 'device';
  if (stage === 'irq') return 'hardirq';
  if (PROCESS.has(stage)) return 'process';
  return 'softirq';
}
