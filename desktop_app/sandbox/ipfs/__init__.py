"""The sandbox's IPFS: kubo-compatible ``add``/``cat`` and gateway over a store on disk, with kubo's CIDs.

Public entry point: :func:`desktop_app.sandbox.ipfs.server.create_app`.
"""
