"""The sandbox's market: iexec-market-api's order-book endpoints over SQLite, kept true to the chain.

Public entry point: :func:`desktop_app.sandbox.market.server.create_app`, which also runs the chain
watcher (:mod:`desktop_app.sandbox.market.watcher`) for as long as the app is served.
"""
