// Precompile Python modules to Brython JS at build time (run by build/build.py).
// Usage: node precompile.js <brython.js>  < manifest.json  > result.json
// manifest: {"modules": [{"name", "file", "package"}]}
// result:   {"modules": {name: {"js", "imports"}}}
"use strict";
const fs = require("fs");
const vm = require("vm");

// Browser globals brython.js touches while loading.
globalThis.window = globalThis;
globalThis.self = globalThis;
globalThis.module = {exports: {}};
globalThis.document = {
  currentScript: {src: "http://build.invalid/brython.js"},
  getElementsByTagName() { return []; },
  querySelectorAll() { return []; },
  addEventListener() {},
  createElement() { return {style: {}}; },
};
globalThis.location = {href: "http://build.invalid/", origin: "http://build.invalid", pathname: "/"};
globalThis.navigator = {userAgent: "node", language: "en"};
globalThis.addEventListener = () => {};
globalThis.HTMLElement = class {};
globalThis.customElements = {define() {}};
globalThis.MutationObserver = class { observe() {} disconnect() {} };
// brython.js's own polyfill for Set.prototype.difference has the wrong signature.
if (!Object.hasOwn(Set.prototype, "difference")) {
  Object.defineProperty(Set.prototype, "difference", {
    value: function (other) { const r = new Set(); for (const x of this) if (!other.has(x)) r.add(x); return r; },
  });
}

// The compiler names functions with Math.random(): seed it so builds are reproducible.
let seed = 0x9e3779b9;
Math.random = function () {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

vm.runInThisContext(fs.readFileSync(process.argv[2], "utf8"), {filename: "brython.js"});
const B = globalThis.__BRYTHON__;
globalThis.$B = B;

const manifest = JSON.parse(fs.readFileSync(0, "utf8"));
const out = {modules: {}};
function reseed(name) {  // each module's output depends on its own source only
  seed = 0x9e3779b9;
  for (let i = 0; i < name.length; i++) seed = Math.imul(seed ^ name.charCodeAt(i), 0x01000193);
  B.$py_UUID = 1000;
}
for (const m of manifest.modules) {
  reseed(m.name);
  const src = fs.readFileSync(m.file, "utf8");
  const filename = "VFS." + m.name + (m.package ? "/__init__.py" : ".py");
  B.url2name[filename] = m.name;
  let root;
  try {
    root = B.py2js({src, filename, imported: true}, m.name, m.name, B.builtins_scope);
  } catch (err) {
    const e = err.$py_exc || err;
    console.error(`precompile: cannot compile ${m.file}: ${e.args ? e.args[0] : e} (line ${e.lineno || "?"})`);
    process.exit(1);
  }
  out.modules[m.name] = {js: root.to_js(), imports: Object.keys(root.imports || {}).sort()};
}
process.stdout.write(JSON.stringify(out));
