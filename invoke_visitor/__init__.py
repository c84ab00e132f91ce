"""The chat window's side of cross-window invoke: GLANCE.Cobrowse.InvokeVisitor.

Compiled by build/build.py into GlanceCobrowseInvokeVisitor.js; importing
`invoke_visitor.main` in the browser defines the API. Under CPython the same
module imports without a browser and exposes its pure checks for tests.
"""
