"""The cobrowse session service (asyncio, Starlette + uvicorn) and the Python agent client.

Run it with `python -m session_server`: uvicorn serves HTTP (Starlette) and hands
WebSocket upgrades to the service's own WebSocket layer (sockets.py). Build the
ASGI app alone with `session_server.app.create_app(settings)` (its WebSocket
routes then go through the ASGI server's WebSocket implementation); drive
sessions as an agent with `session_server.agent_client.AgentClient`.
"""
