"""The package's version, written into every trace's producer."""

__version__ = "1.1.0"
