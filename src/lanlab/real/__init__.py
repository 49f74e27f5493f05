"""A topology file on the real Linux kernel: network namespaces, veths and bridges (see the
README's "The same topology on the kernel" for the mapping and what differs from the simulator).

Reads topologies through lanlab.topology only, never the simulator; needs root and iproute2.
"""
