/**
 * Operands of numpy 1.x elementwise arithmetic: arrays (`NDArray`; a 0-d array behaves as a numpy
 * scalar), Python floats (plain `number`) and Python ints (`pyInt(n)`).
 */
import type { NDArray } from "../ndarray.js";

export interface PyInt {
  readonly pyInt: number;
}

export type Operand = NDArray | number | PyInt;

export function pyInt(n: number): PyInt {
  return { pyInt: n };
}

export function isPyInt(x: Operand): x is PyInt {
  return typeof x === "object" && "pyInt" in x;
}

export function isArray(x: Operand): x is NDArray {
  return typeof x === "object" && "data" in x;
}
