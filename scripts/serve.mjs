#!/usr/bin/env node
// `npm run serve [-- --port N]`: serves the package folder over HTTP (loopback only) so the browser
// page at /dist/browser/ can fetch its bundle and the golden data. Static files only; run
// `npm run build` first (npm ci does). Prints the page's URL.
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".md": "text/markdown; charset=utf-8",
};

/**
 * Serve `mounts` (URL prefix → folder, longest prefix first) on loopback; `/` redirects to the page.
 * Resolves with the listening server (port 0 picks a free port).
 */
export function serve(mounts, port = 0, host = "127.0.0.1") {
  const table = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/") {
      res.writeHead(302, { location: `/dist/browser/index.html${url.search}` }).end();
      return;
    }
    const mount = table.find(([prefix]) => url.pathname.startsWith(prefix));
    const root = mount ? normalize(mount[1]) : "";
    const path = mount ? normalize(join(root, decodeURIComponent(url.pathname.slice(mount[0].length)))) : "";
    if (
      !mount ||
      !(path + sep).startsWith(root.endsWith(sep) ? root : root + sep) ||
      !existsSync(path) ||
      !statSync(path).isFile()
    ) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(path)] ?? "application/octet-stream",
      "cache-control": "no-store",
    });
    createReadStream(path).pipe(res);
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: { port: { type: "string", default: "8080" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log("usage: npm run serve [-- --port N]   serves the optspec page at http://127.0.0.1:N/ (default 8080)");
    process.exit(0);
  }
  const root = fileURLToPath(new URL("..", import.meta.url));
  if (!existsSync(join(root, "dist", "browser", "kit.js"))) {
    console.error("dist/browser/kit.js is missing: run npm run build first");
    process.exit(2);
  }
  const server = await serve({ "/": root }, Number(values.port));
  const addr = server.address();
  console.log(`optspec page: http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : values.port}/`);
}
