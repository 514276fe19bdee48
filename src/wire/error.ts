// Typed parse errors for wire formats (smoltcp's wire::Error): malformed bytes
// are refused here, with the byte offset of the problem, and never reach the model.

export type WireErrorKind = 'Truncated' | 'BadChecksum' | 'BadVersion' | 'BadLength' | 'Unsupported';

export class WireError {
  constructor(
    readonly kind: WireErrorKind,
    /** Offset in the frame of the field (or header) that is wrong. */
    readonly offset: number,
    readonly detail: string,
  ) {}

  /** `Truncated at byte 34: TCP header needs 20 bytes, 12 remain`. */
  get message(): string {
    return `${this.kind} at byte ${this.offset}: ${this.detail}`;
  }
}

export function isWireError(x: unknown): x is WireError {
  return x instanceof WireError;
}
