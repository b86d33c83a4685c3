"""The brand HTTP API (``/api/v1/``): a brand's own systems reach customers who allowed it.

It runs on a listener of its own (Starlette on uvicorn, ``--api-port``) beside the relay's
websocket server, because the websocket server answers no request that carries a body.
Every call is the brand's bot token acting through the same handlers and stores as a
websocket bot (``ApiPeer``), under the same scopes, with one more rule: the customer must
have allowed the brand (``api_allow``).

    server.ApiServer   the listener, started and stopped by ``Relay``
    routes             one coroutine per endpoint of ``chatshop.protocol.http_api.ENDPOINTS``
    calls              authentication, scopes, rate limits, idempotency, bodies, errors
    peer.ApiPeer       what a handler sees of an API call: the brand, its token's scopes
"""
