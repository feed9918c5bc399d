"""The client of the Python library DjangoChannelsGraphqlWs, unchanged.

client.py and transport.py are copied from
https://github.com/datadvance/DjangoChannelsGraphqlWs (channels_graphql_ws/,
commit 1ade107f61a1c39bdfd5896d186416fe642a5ec3), under its MIT licence (LICENSE here): client.py verbatim,
transport.py with one change marked in it (Python 3.11 compatibility), so
gqlcast's tests drive the server with that library's own client.
"""
