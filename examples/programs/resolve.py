"""Look names up as any program does (socket.gethostbyname & co.); on a host with a resolver
(dns: in the topology, or a DHCP lease) each lookup is a DNS query on the wire."""

import socket
import sys

for name in sys.argv[1:] or ["pc3", "www.lab", "nope.lab"]:
    try:
        canonical, aliases, addresses = socket.gethostbyname_ex(name)
        print(f"{name}: {canonical} {aliases} {addresses}")
    except socket.gaierror as error:
        print(f"{name}: gaierror {error.errno} {error.strerror}")
print("198.18.0.3 is", socket.gethostbyaddr("198.18.0.3")[0])
