"""The simulator: virtual time, links, devices, topology files, the socket shim."""
