/* Stands in for Brython's compiler chain, which the bundles do not ship
   (generated into the runtime by build/brython_runtime.py; do not edit there).
   The SDK is precompiled at build time, so nothing in the visitor's page parses
   Python. Should anything still ask Brython to compile source (exec, eval,
   compile, a module imported from a .py file, a <script type="text/python">),
   it gets a clear Python NotImplementedError instead of a JS TypeError. */
(function ($B) {
  "use strict";
  function noCompiler() {
    $B.RAISE($B.builtins.NotImplementedError,
      "this Brython runtime has no Python compiler: the Glance SDK is precompiled at build time");
  }
  $B.Parser = noCompiler;
  $B._PyPegen = {run_parser: noCompiler};
  $B._PySymtable_Build = noCompiler;
})(__BRYTHON__);
