#!/usr/bin/env node
// The `optspec` command in a clone: runs the TypeScript sources of scripts/cli.ts through tsx's
// ESM loader, registered in a namespace of its own. A global tsx loader (`--import tsx/esm`) would
// also take over modules the CLI imports from elsewhere: it treats a plain `.js` backend outside
// any package as CommonJS, Node then require()s that ES module while its own import() of the same
// file is still running, and fails with ERR_REQUIRE_CYCLE_MODULE. The installed package runs the
// compiled dist/scripts/cli.js instead and needs no loader at all.
import { register } from "tsx/esm/api";

// Backend modules are imported from here, outside the namespace, so tsx leaves them to plain Node
// (ES module syntax detection, top-level await) exactly as in the installed package.
globalThis[Symbol.for("optspec.importModule")] = (url) => import(url);

const api = register({ namespace: "optspec-cli" });
await api.import("./cli.ts", import.meta.url);
