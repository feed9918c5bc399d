"""Drives a gqlcast server with DjangoChannelsGraphqlWs's own client.

Usage: run_client.py <url> <subprotocol>

Runs what that library's tests do with its client: connect and init (its
client sends `"payload": ""`), a query, a subscription waiting for its
confirmation, a mutation that broadcasts to it (the client reads the
mutation's result first and skips other ids while it waits), the
notification, `complete`/`stop`, and disconnects. Prints one JSON line per
step for the test to check.
"""

import asyncio
import json
import sys

from dcgw_client.client import GraphqlWsClient
from dcgw_client.transport import GraphqlWsTransportAiohttp


def report(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


async def main(url, subprotocol):
    transport = GraphqlWsTransportAiohttp(url)
    client = GraphqlWsClient(transport, subprotocol=subprotocol)
    if subprotocol == "graphql-transport-ws":
        await client.connect_and_init()
    else:
        # The client's connect_and_init() always connects with the transport's
        # default subprotocol; for legacy graphql-ws, connect as its tests do
        # with that transport, then send the same connection_init.
        await transport.connect(subprotocol=subprotocol)
        await transport.send({"type": "connection_init", "payload": ""})
        ack = await transport.receive()
        assert ack["type"] == "connection_ack", f"Unexpected response `{ack}`!"
    report("connected", transport._connection.protocol)

    report("query", await client.execute('query { hello(name: "python") }'))

    sub_id = await client.subscribe(
        'subscription { onMessage(room: "py") { room text from } }'
    )
    report("subscribed", True)

    report(
        "mutation",
        await client.execute('mutation { send(room: "py", text: "from python") }'),
    )
    report("notification", await client.receive_next(sub_id))

    await client.complete(sub_id)
    if subprotocol == "graphql-ws":
        # The legacy protocol answers `stop` with `complete`.
        await client.receive_complete(sub_id)
    report("completed", True)

    await client.finalize()
    report("done", True)


asyncio.run(main(sys.argv[1], sys.argv[2]))
