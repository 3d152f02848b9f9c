"""Use cases as Qt-free async state machines (protect, grant, revoke, run, verify)."""
