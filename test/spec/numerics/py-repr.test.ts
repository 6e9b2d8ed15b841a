import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { test as fcTest, fc } from "@fast-check/vitest";
import { pyFloatRepr, pyIntOrFloatRepr } from "../../../spec/numerics/py-repr.js";
import { clauses } from "../../helpers/clauses.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/py-repr.json", import.meta.url), "utf8")) as {
  cases: [string, string][];
};

const view = new DataView(new ArrayBuffer(8));
const fromHex = (hex: string): number => (view.setBigUint64(0, BigInt(`0x${hex}`)), view.getFloat64(0));

describe(`pyFloatRepr [${clauses("numerics.repr.float")}]`, () => {
  it(`matches CPython repr on ${fixture.cases.length} fixture doubles`, () => {
    const misses: string[] = [];
    for (const [hex, want] of fixture.cases) {
      const got = pyFloatRepr(fromHex(hex));
      if (got !== want) misses.push(`${hex}: python ${want}, ours ${got}`);
    }
    expect(misses).toEqual([]);
  });

  it.each([
    [1e-8, "1e-08"],
    [1e16, "1e+16"],
    [0.1, "0.1"],
    [100, "100.0"],
    [1.5e-5, "1.5e-05"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [NaN, "nan"],
    [-0, "-0.0"],
    [0, "0.0"],
    [0.0001, "0.0001"],
    [1e15, "1000000000000000.0"],
    [9999999999999998, "9999999999999998.0"],
    [1.5e300, "1.5e+300"],
    [5e-324, "5e-324"],
    [-2.5, "-2.5"],
    [1 / 3, "0.3333333333333333"],
    [123456789012345680, "1.2345678901234568e+17"],
    [0.00011, "0.00011"],
  ] as [number, string][])("repr(%s) = %s", (x, want) => {
    expect(pyFloatRepr(x)).toBe(want);
  });

  fcTest.prop([fc.double({ noNaN: true, noDefaultInfinity: true })], { numRuns: 20000 })(
    "reads back as the same double",
    (x) => {
      expect(Object.is(parseFloat(pyFloatRepr(x)), x)).toBe(true);
    },
  );

  fcTest.prop([fc.double({ noNaN: true, noDefaultInfinity: true })], { numRuns: 5000 })(
    "uses exponent form exactly when the decimal exponent is < -4 or ≥ 16",
    (x) => {
      fc.pre(x !== 0);
      const s = pyFloatRepr(x);
      const exp10 = Number(Math.abs(x).toExponential().split("e")[1]);
      expect(s.includes("e")).toBe(exp10 < -4 || exp10 >= 16);
      if (!s.includes("e")) expect(s.includes(".")).toBe(true);
    },
  );
});

describe(`pyIntOrFloatRepr [${clauses("numerics.repr.int")}]`, () => {
  it("prints Python ints exactly and floats as repr", () => {
    expect(pyIntOrFloatRepr(3, true)).toBe("3");
    expect(pyIntOrFloatRepr(3, false)).toBe("3.0");
    expect(pyIntOrFloatRepr(-0, true)).toBe("0");
    expect(pyIntOrFloatRepr(1e20, true)).toBe("100000000000000000000");
    expect(pyIntOrFloatRepr(1e20, false)).toBe("1e+20");
    expect(pyIntOrFloatRepr(2 ** 64, true)).toBe("18446744073709551616");
    expect(() => pyIntOrFloatRepr(0.5, true)).toThrow(RangeError);
  });
});
