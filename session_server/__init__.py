"""The cobrowse session service (asyncio, Starlette + uvicorn) and the Python agent client.

Run it with `python -m session_server`; build the ASGI app with
`session_server.app.create_app(settings)`; drive sessions as an agent with
`session_server.agent_client.AgentClient`.
"""
