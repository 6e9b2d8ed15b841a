#!/usr/bin/env node
// `npm run build` (also `prepare`, so `npm ci` and `npm pack` build): the package's dist/.
//  1. tsc -p tsconfig.build.json: JavaScript + .d.ts for index.ts, spec, backends, conformance, bench, scripts.
//  2. Non-TypeScript assets next to the sources (compiled .wasm, .wgsl shaders, .wat, data .json …)
//     are copied to the same place under dist/, so a backend can load them relative to its module.
//  3. The browser page (browser/): the kit bundled with esbuild into dist/browser/.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const SOURCE_DIRS = ["spec", "backends", "conformance", "bench", "scripts"];
const ASSET = /\.(wasm|wgsl|wat|json|bin|txt)$/i;

rmSync(dist, { recursive: true, force: true });
// typescript exports only package.json among its files: find bin/tsc next to it.
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
const r = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
if (r.status !== 0) process.exit(r.status ?? 1);

let assets = 0;
function copyAssets(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) copyAssets(p);
    else if (ASSET.test(name)) {
      const to = join(dist, relative(root, p));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(p, to);
      assets++;
    }
  }
}
for (const d of SOURCE_DIRS) copyAssets(join(root, d));
chmodSync(join(dist, "scripts", "cli.js"), 0o755);

const { buildBrowser } = await import("./build-browser.mjs");
await buildBrowser(root, join(dist, "browser"));
console.log(`built dist/ (${assets} assets copied, browser page in dist/browser/)`);
