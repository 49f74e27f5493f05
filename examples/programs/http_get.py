"""Fetch a URL (urllib.request) and print the status and the body: sys.argv[1] is the URL."""

import sys
from urllib.request import urlopen

with urlopen(sys.argv[1], timeout=5) as reply:
    print(reply.status, reply.read().decode().strip())
