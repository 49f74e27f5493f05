"""Simulated devices: hub (CSMA/CD), learning switch, host (NICs over lanlab.proto's ARP, IPv4, ICMP,
UDP and TCP), router (forwarding, RIP, ICMP errors), and the storm watch shared by hubs and switches."""
