"""The sandbox's workerpool: its on-chain identity and orders, its scheduler, and the task journal."""
