// Expand a JSON-LD file with jsonld.js (npm `jsonld`) and print it as N-Quads.
// Used by tests/test_jsonld.py to check actorgraph's JSON-LD with a processor
// this project did not write. Usage: node jsonld_to_nquads.js FILE
"use strict";
const fs = require("fs");
const jsonld = require("jsonld");

async function main() {
  const doc = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  // No document loader: the context is embedded, nothing may be fetched.
  const offline = async (url) => {
    throw new Error(`refusing to fetch ${url}`);
  };
  const expanded = await jsonld.expand(doc, { documentLoader: offline });
  const nquads = await jsonld.toRDF(expanded, { format: "application/n-quads" });
  process.stdout.write(nquads);
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(1);
});
