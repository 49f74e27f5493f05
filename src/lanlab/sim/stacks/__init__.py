"""Protocols plugged into devices through their extension points: stp (802.1D/802.1w on a switch's
ports) and rarp (RFC 903 server and `ip: rarp` client on a host's ethertypes)."""
