"""The agent console's session code, compiled with Brython into build/dist/glance-agent-console.js.

`session` is the pure agent seat (the visitor SDK's SessionClient with the
agent's frames); `shell` its browser shell (WebSocket, timers, the plain JS
object the console page's agent.js drives); `main` the entry the bundle runs.
build/console_bundle.py builds the bundle.
"""
