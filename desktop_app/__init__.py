"""DataProtector Desktop: protect personal files for iExec confidential computing and verify the proofs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dataprotector-desktop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
