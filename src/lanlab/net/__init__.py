"""The real network: sockets, the wall clock."""
