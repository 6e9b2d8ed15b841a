/**
 * Seed inputs for the decoders' fuzzing: real snapshots of a trained optimizer in every form the
 * loaders read (Chainer npz stored and compressed, lossless npz stored and compressed, lossless
 * JSON), with hooks, rule overrides, fp16 master copies and loss scaling, plus hostile hand-made
 * files (zip bombs, deep JSON).
 */
import {
  type OptimizerState,
  addHook,
  array,
  createLink,
  createOptimizer,
  gradientNoise,
  lossScaling,
  paramPaths,
  saveLossless,
  saveNpz,
  setGrads,
  setRuleHyperparam,
  setup,
  toJSON,
  update,
  useFp32Update,
  weightDecay,
  type LinkStructure,
  type NDArray,
} from "../../spec/index.js";
import { zipBomb } from "./zip-bomb.js";

export type Target = "npz" | "lossless-npz" | "json";

export interface Seed {
  readonly target: Target;
  readonly name: string;
  /** Bytes for the npz loaders, text for JSON. */
  readonly input: Uint8Array | string;
}

const STRUCTURE: LinkStructure = {
  kind: "chain",
  params: [{ name: "u", dtype: "float32", shape: [3] }],
  children: [
    {
      name: "enc",
      link: {
        kind: "link",
        params: [
          { name: "W", dtype: "float16", shape: [2, 2] },
          { name: "c", dtype: "float64", shape: [2] },
        ],
        children: [],
      },
    },
  ],
};

function grads(s: OptimizerState, k: number): Record<string, NDArray> {
  const out: Record<string, NDArray> = {};
  for (const p of paramPaths(STRUCTURE)) {
    const d = s.target?.params[p]?.data;
    if (d)
      out[p] = array(
        d.dtype,
        d.shape,
        Array.from(d.data, (_, i) => ((i + k) % 5) / 4 - 0.5),
      );
  }
  return out;
}

/** The optimizer the seeds snapshot, and a fresh one of the same kind to load Chainer npz into. */
export function referenceStates(): { trained: OptimizerState; receiver: OptimizerState } {
  const link = createLink(STRUCTURE, {
    "/u": array("float32", [3], [0.5, -1, 2]),
    "/enc/W": array("float16", [2, 2], [1, 2, 3, 4]),
    "/enc/c": array("float64", [2], [0.1, -0.2]),
  });
  let s = setup(createOptimizer("Adam", { amsgrad: true }), link);
  s = useFp32Update(s);
  s = addHook(s, weightDecay(1e-3));
  s = addHook(s, gradientNoise(0.01, { name: "exponential_decay_noise", seed: 3 }), {}, { rule: "/u" });
  s = setRuleHyperparam(s, "/u", "alpha", 0.002);
  s = update(setGrads(s, grads(s, 1)));
  s = lossScaling(s, { interval: 4 });
  s = setRuleHyperparam(s, "/enc/c", "beta1", 0.5);
  s = update(setGrads(s, grads(s, 2)));
  return { trained: s, receiver: setup(createOptimizer("Adam", { amsgrad: true }), link) };
}

export function seeds(): Seed[] {
  const { trained } = referenceStates();
  const deep = (n: number): string => `{"format":"optspec.optimizer-state","version":${"[".repeat(n)}${"]".repeat(n)}}`;
  return [
    { target: "npz", name: "chainer compressed", input: saveNpz(trained) },
    { target: "npz", name: "chainer stored", input: saveNpz(trained, { compress: false }) },
    { target: "lossless-npz", name: "lossless compressed", input: saveLossless(trained) },
    { target: "lossless-npz", name: "lossless stored", input: saveLossless(trained, { compress: false }) },
    { target: "json", name: "lossless json", input: toJSON(trained) },
    { target: "json", name: "deep json", input: deep(5000) },
    { target: "npz", name: "zip bomb 64 MiB", input: zipBomb({ inflated: 64 * 2 ** 20 }) },
    {
      target: "lossless-npz",
      name: "zip bomb, understated",
      input: zipBomb({ inflated: 16 * 2 ** 20, declared: 4096 }),
    },
  ];
}
