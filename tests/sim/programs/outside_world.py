"""Tries to reach beyond its network: an address no route leads to, by UDP and TCP, and a name by lookup and
URL. Both stand for the Internet but name none of it (198.18.0.0/15 is benchmarking space, .invalid never
resolves: RFC 6761), so a leak from the simulation could reach nothing real."""

import socket
import urllib.request

FAR = "198.19.255.53"
NAME = "www.nowhere.invalid"

for what, call in (
    (f"udp {FAR}:53", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", (FAR, 53))),
    (f"tcp {FAR}:53", lambda: socket.create_connection((FAR, 53), timeout=3)),
    (f"gethostbyname {NAME}", lambda: socket.gethostbyname(NAME)),
    (f"urlopen http://{NAME}/", lambda: urllib.request.urlopen(f"http://{NAME}/", timeout=3)),
):
    try:
        print(what, "->", call())
    except OSError as e:
        print(what, "failed:", type(e).__name__, getattr(e, "errno", None), e)
print("done")
