"""Entry of the agent console's bundle: puts `window.agentSessionCore` on the console page.

Run once by the bundle's boot (build/console_boot.template.js) before the
console's own scripts (demo_site/static/agent.js) run.
"""

from browser import window

from visitor_sdk.jsconv import to_js

from .shell import open_seat

window.agentSessionCore = to_js({"open": open_seat, "protocol": 1})
