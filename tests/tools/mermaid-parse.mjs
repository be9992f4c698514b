// Parses Mermaid text read from stdin with the real `mermaid` package (in a jsdom window), the
// way GitHub renders it; exits 1 with Mermaid's own message when the text does not parse.
// usage: node mermaid-parse.mjs < diagram.mmd   (NODE_PATH: the node_modules holding mermaid)
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(process.env.NODE_PATH + "/");
const { JSDOM } = require("jsdom");
const dom = new JSDOM("<!DOCTYPE html><body></body>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
Object.defineProperty(globalThis, "navigator", { value: dom.window.navigator, configurable: true });
const mermaid = (await import(require.resolve("mermaid"))).default;
mermaid.initialize({ startOnLoad: false, maxTextSize: 50000 });
const text = readFileSync(0, "utf8");
try {
  await mermaid.parse(text);
  console.log(`ok: ${text.length} characters`);
} catch (e) {
  console.error(String(e && e.message ? e.message : e));
  process.exit(1);
}
