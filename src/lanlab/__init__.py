"""lanlab: a laboratory for local networks, real and simulated."""

__version__ = "0.1.0"
