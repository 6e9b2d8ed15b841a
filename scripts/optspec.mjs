#!/usr/bin/env node
// The `optspec` command in a clone: runs the TypeScript sources of scripts/cli.ts through tsx's
// ESM loader, registered in a namespace of its own (the installed package runs the compiled
// dist/scripts/cli.js and needs no loader at all).
//
// Why not `node --import tsx/esm`: tsx then also loads the backend module a user names, and it
// takes a `.js` file outside any package for CommonJS; Node's require() of that ES module runs
// while Node's own import() of the same file is still in progress, and fails with
// ERR_REQUIRE_CYCLE_MODULE. Imports from a namespaced module inherit the namespace, so backend
// modules are imported from here instead, where tsx leaves them to plain Node (ES module syntax
// detection, top-level await), exactly as in the installed package.
import { register } from "tsx/esm/api";

globalThis[Symbol.for("optspec.importModule")] = (url) => import(url);

const api = register({ namespace: "optspec-cli" });
await api.import("./cli.ts", import.meta.url);
