"""Codecs: frozen header dataclasses, parse(bytes) and build(); pcap and pcapng. No state, no clock, no sockets."""
