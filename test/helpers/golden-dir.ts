import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** The golden directory: $OPTSPEC_GOLDEN_DIR, else ../shared/golden beside the repository. */
export const GOLDEN_DIR = resolve(process.env["OPTSPEC_GOLDEN_DIR"] ?? resolve(REPO_ROOT, "..", "shared", "golden"));
