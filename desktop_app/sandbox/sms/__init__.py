"""The sandbox's Secret Management Service: the real SMS's HTTP interface, an encrypted store behind it.

``server.create_app`` serves what clients (the app, the scheduler) call; ``store.SecretStore`` is how the
sandbox worker reads what a real SMS would provision to an attested enclave.
"""
