"""Pure domain code: no Qt, no global state. Everything above (flows, cli, ui) builds on it."""
