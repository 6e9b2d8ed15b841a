/**
 * The committed Wasm binary and its embedded copy (decoded from `kernels-bytes.ts`, whatever its
 * formatting) are exactly what the committed AssemblyScript source compiles to: CI rebuilds in
 * memory and fails on any byte that differs.
 */
import { describe, expect, it } from "vitest";
import { committedWasm, compileKernels } from "../../backends/wasm/build.js";
import { kernelBytes } from "../../backends/wasm/instance.js";

describe("wasm kernels build", () => {
  it("rebuilds byte for byte from backends/wasm/assembly (run `npm run build:wasm` after editing it)", async () => {
    const built = await compileKernels();
    const committed = committedWasm();
    expect(built.length).toBe(committed.length);
    expect(Buffer.from(built).equals(Buffer.from(committed))).toBe(true);
    expect(Buffer.from(kernelBytes()).equals(Buffer.from(committed))).toBe(true);
  });
});
