"""The simulator's one error for a mistake in building or driving a network."""


class NetworkError(ValueError):
    """A mistake in building or driving a network (unknown node, port used twice, ...)."""
