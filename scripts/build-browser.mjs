// The browser page: browser/page.ts and the kit it imports, bundled with esbuild into one ES module.
// - `node:*` imports become a stub that throws if called: the page's path (golden over HTTP,
//   explicit golden sources, backends from the registry) never calls them.
// - conformance/clauses.ts (which reads the spec's sources from disk) is replaced by the clause
//   list read now from the spec's sources, so the page reports unchecked clauses too.
// - golden-files.json lists the golden files; the page fetches them from the package's golden/.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { build } from "esbuild";

function filesUnder(dir, keep) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (keep(name)) out.push(relative(dir, p).split("\\").join("/"));
    }
  };
  walk(dir);
  return out;
}

/** [clause id, "spec/<file>"] in the order conformance/clauses.ts finds them (first statement wins). */
function clausesOf(root) {
  const seen = new Map();
  for (const f of filesUnder(join(root, "spec"), (n) => n.endsWith(".ts") && !n.endsWith(".d.ts"))) {
    for (const m of readFileSync(join(root, "spec", f), "utf8").matchAll(/@clause\s+([A-Za-z0-9_.-]+)/g)) if (!seen.has(m[1])) seen.set(m[1], `spec/${f}`);
  }
  return [...seen];
}

/** Bundle the page into `out` (index.html, kit.js, golden-files.json); the golden files are fetched from `goldenBase`, relative to the page. */
export async function buildBrowser(root, out, goldenBase = "../../golden/") {
  mkdirSync(out, { recursive: true });
  const clauses = clausesOf(root);
  const stubNode = {
    name: "optspec-browser",
    setup(b) {
      b.onResolve({ filter: /^node:/ }, (a) => ({ path: a.path, namespace: "node-stub" }));
      b.onLoad({ filter: /.*/, namespace: "node-stub" }, (a) => ({
        contents: `module.exports = new Proxy({}, { get: (_, k) => k === "__esModule" ? false : () => { throw new Error(${JSON.stringify(a.path)} + "." + String(k) + " is not available in a browser"); } });`,
        loader: "js",
      }));
      b.onLoad({ filter: /[\\/]conformance[\\/]clauses\.ts$/ }, () => ({
        contents: `const CLAUSES = ${JSON.stringify(clauses)};\nexport function specClauses() { return new Map(CLAUSES); }\n`,
        loader: "js",
      }));
    },
  };
  // `.wasm` imported as a module is embedded as bytes; `webgpu` (Dawn for Node, a native addon) stays
  // an external import that fails in a browser, where a WebGPU backend uses navigator.gpu instead.
  const common = {
    bundle: true, format: "esm", platform: "browser", target: "es2022", plugins: [stubNode], logLevel: "warning", legalComments: "none",
    loader: { ".wasm": "binary" }, external: ["webgpu"],
  };
  // The page's script, and the library entry (`optspec/browser`, the "browser" condition of `optspec`).
  await build({ ...common, entryPoints: [join(root, "browser", "page.ts")], outfile: join(out, "kit.js") });
  await build({ ...common, entryPoints: [join(root, "browser", "index.ts")], outfile: join(out, "optspec.js") });
  copyFileSync(join(root, "browser", "index.html"), join(out, "index.html"));
  const manifest = { base: goldenBase, files: filesUnder(join(root, "golden"), (n) => n.endsWith(".json")) };
  writeFileSync(join(out, "golden-files.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}
