"""Visitor-side cobrowse SDK, written in Python and compiled to browser JS with Brython.

Pure modules (no browser import; tested on CPython): catalogue, emitter,
params, config, states. Browser shell modules: jsconv, runtime.
"""
