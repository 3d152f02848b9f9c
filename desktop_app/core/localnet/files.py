"""Names of the files the sandbox process and its launcher share in the data directory."""

CONFIG_FILE = "config.json"
PID_FILE = "sandbox.pid"
STARTUP_ERROR_FILE = "startup-error.json"
LOG_FILE = "sandbox.log"
