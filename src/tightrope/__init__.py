"""tightrope: model a geopolitical crisis and forecast it."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tightrope")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
