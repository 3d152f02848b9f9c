"""The sandbox's chain: anvil running iExec's real PoCo contracts, and what the services read from it."""
