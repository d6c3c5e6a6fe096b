"""Propulse: the marketing operating system of a B2B scale-up in hypergrowth."""

__version__ = "0.1.0"
