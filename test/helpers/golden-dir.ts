import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundledGoldenDir } from "../../conformance/golden/bundled-dir.js";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** The golden directory the tests replay: the real-Chainer data committed with the repository. */
export const GOLDEN_DIR = bundledGoldenDir();
