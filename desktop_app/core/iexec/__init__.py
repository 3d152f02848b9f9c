"""The iExec protocol as a client speaks it: hashes, orders, signatures and service clients."""
