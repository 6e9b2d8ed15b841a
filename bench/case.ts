/** One benchmark case: what it measures, and how to build its step (buffers are made lazily). */
import type { Dtype } from "../spec/index.js";
import type { Step } from "./harness.js";
import type { Via } from "./result.js";

export interface Prepared {
  readonly step: Step;
  /** Release the case's buffers. */
  dispose(): void | Promise<void>;
}

export interface Case {
  readonly via: Via;
  readonly backend: string;
  readonly kernel: string;
  readonly variant: string;
  readonly category: "optimizer" | "hook" | "roofline";
  readonly dtype: Dtype;
  readonly elements: number;
  readonly tensors: number;
  /** Bytes the work must move per element (bench/bytes.ts). */
  readonly bytesPerElement: number;
  readonly note?: string;
  prepare(): Prepared | Promise<Prepared>;
}

/** Segment layout: `tensors` equal parts of `elements` in one packed buffer. */
export function parts(elements: number, tensors: number): { offset: number; length: number }[] {
  const length = elements / tensors;
  if (!Number.isInteger(length))
    throw new RangeError(`${elements} elements do not split into ${tensors} equal tensors`);
  return Array.from({ length: tensors }, (_, i) => ({ offset: i * length, length }));
}
