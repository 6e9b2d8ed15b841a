/** The hand-assembled roofline module validates and computes a = b + s·c in both dtypes. */
import { describe, expect, it } from "vitest";
import { createTriad, triadModuleBytes } from "../../bench/wasm-triad.js";

describe("Wasm SIMD triad", () => {
  it("is a valid module", () => {
    const wasm = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    expect(wasm.validate(triadModuleBytes())).toBe(true);
  });
  it.each(["float32", "float64"] as const)("%s: self-checks and counts 3 arrays per element", (dtype) => {
    const t = createTriad(dtype, 4096); // throws if a checked element is wrong
    expect(t.bytesPerElement).toBe(dtype === "float32" ? 12 : 24);
    expect(() => createTriad(dtype, 100)).toThrow(RangeError);
  });
});
