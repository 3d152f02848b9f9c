"""The app's local memory: SQLite with versioned migrations (protect journal, grants, runs, activity)."""
