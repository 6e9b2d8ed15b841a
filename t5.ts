import { runFuzz } from "./conformance/fuzz/run.js";
const r = runFuzz({ inputs: 300, seed: 7 });
console.log(JSON.stringify({ ...r, findings: r.findings.slice(0, 8) }, null, 1));
