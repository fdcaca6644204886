"""Kozak: a self-hosted deep-learning platform for biological sequences."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kozak")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
