"""The embedded local iExec network: anvil with the real PoCo contracts, plus IPFS, SMS and market services.

It runs as its own process. The app talks to it only through the endpoints file it writes and the same
HTTP/JSON-RPC interfaces a public network offers; nothing outside this package imports its internals.
"""
