// The browser page: browser/page.ts and the kit it imports, bundled with esbuild into one ES module.
// - `node:*` imports become a stub that throws if called: the page's path (golden over HTTP,
//   explicit golden sources, backends from the registry) never calls them.
// - conformance/clauses.ts (which reads the spec's sources from disk) is replaced by the clauses of
//   the generated registry (spec/clauses/index.json), so the page reports unchecked clauses too.
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

/** The clause definitions from the generated registry (spec/clauses/index.json), as conformance/clauses.ts gives them. */
function clausesOf(root) {
  const doc = JSON.parse(readFileSync(join(root, "spec", "clauses", "index.json"), "utf8"));
  return doc.clauses.map((c) => [
    c.id,
    { id: c.id, text: c.text, at: { file: c.file, line: c.line }, notes: c.notes, refs: c.refs },
  ]);
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
        contents: [
          `const DEFS = new Map(${JSON.stringify(clauses)});`,
          "export function specClauseDefs() { return DEFS; }",
          "export function specClauses() { return new Map([...DEFS].map(([id, d]) => [id, d.at.file])); }",
        ].join("\n"),
        loader: "js",
      }));
    },
  };
  // `.wasm` imported as a module is embedded as bytes; `webgpu` (Dawn for Node, a native addon) stays
  // an external import that fails in a browser, where a WebGPU backend uses navigator.gpu instead.
  const common = {
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    plugins: [stubNode],
    logLevel: "warning",
    legalComments: "none",
    loader: { ".wasm": "binary" },
    external: ["webgpu"],
  };
  // The page's script, and the library entry (`optspec/browser`, the "browser" condition of `optspec`).
  await build({ ...common, entryPoints: [join(root, "browser", "page.ts")], outfile: join(out, "kit.js") });
  await build({ ...common, entryPoints: [join(root, "browser", "index.ts")], outfile: join(out, "optspec.js") });
  copyFileSync(join(root, "browser", "index.html"), join(out, "index.html"));
  const manifest = { base: goldenBase, files: filesUnder(join(root, "golden"), (n) => n.endsWith(".json")) };
  writeFileSync(join(out, "golden-files.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}
