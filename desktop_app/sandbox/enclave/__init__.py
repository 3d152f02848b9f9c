"""The sandbox's simulated enclave attestation: a per-sandbox Intel-like PKI and DCAP quotes signed by it."""
