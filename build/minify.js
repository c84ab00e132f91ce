// Shorten precompiled Brython modules at build time (run by build/build.py).
// Usage: node minify.js <terser module dir> [--scripts]  < {name: js}  > {name: js}
// With --scripts, each input is a whole browser script (the loader), minified
// as it is (its top-level names are globals and stay).
// Each module's body is minified as the body of a function ending in
// `return locals_<module>`, so all its local names are mangled (the
// compiler's long `locals_<module>_<function>` variables, numbered function
// names, `$B`) and the module code returns its namespace itself, before the
// `return locals_<module>` Brython's import appends. terser's default
// (safe) compression is applied as well. Single quotes and semicolons: the
// code travels inside a JSON string (build.py's module rows), where a double
// quote or a newline costs an escape.
"use strict";
const path = require("path");
const {minify} = require(path.resolve(process.argv[2], "terser"));

function readStdin() {
  return new Promise((resolve) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

(async () => {
  const modules = JSON.parse(await readStdin());
  const out = {};
  if (process.argv[3] === "--scripts") {
    for (const name of Object.keys(modules).sort()) {
      const res = await minify(modules[name], {compress: {}, mangle: true, format: {ascii_only: true}});
      out[name] = res.code + "\n";
    }
    process.stdout.write(JSON.stringify(out));
    return;
  }
  for (const name of Object.keys(modules).sort()) {
    const keep = "locals_" + name.replace(/\./g, "_");
    const head = "function __glance_module(){", tail = "\nreturn " + keep + "}";
    const res = await minify(head + modules[name] + tail, {
      compress: {},
      mangle: true,
      format: {ascii_only: true, semicolons: true, quote_style: 1},
    });
    const code = res.code;
    const start = code.indexOf("{") + 1;
    if (!code.startsWith("function __glance_module(){") || !code.endsWith("}")) {
      throw new Error("minify: unexpected output for " + name);
    }
    out[name] = code.slice(start, -1) + "\n";
  }
  process.stdout.write(JSON.stringify(out));
})().catch((err) => { console.error(String(err && err.stack || err)); process.exit(1); });
