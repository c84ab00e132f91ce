// The free (undeclared) names each JS file refers to, read with terser's parser and scope analysis
// (run by tests/build/test_js_sources.py).
// Usage: node js_globals.js <terser module dir> <file.js>...  > {file: [name, ...]}
"use strict";
const fs = require("fs");
const path = require("path");
const {minify} = require(path.resolve(process.argv[2], "terser"));

(async () => {
  const out = {};
  for (const file of process.argv.slice(3)) {
    const res = await minify(fs.readFileSync(file, "utf8"), {compress: false, mangle: false,
                                                             format: {ast: true, code: false}});
    res.ast.figure_out_scope();
    out[file] = Array.from(res.ast.globals.keys()).sort();
  }
  process.stdout.write(JSON.stringify(out));
})().catch((err) => { console.error(String(err && err.stack || err)); process.exit(1); });
