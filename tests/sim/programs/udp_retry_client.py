# Ask a UDP server, with a timeout and retries (the first requests find nobody listening).
import socket
import time

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
for attempt in range(1, 6):
    s.sendto(b"time?", ("server", 9300))
    try:
        data, addr = s.recvfrom(1024)
    except socket.timeout:
        print("attempt", attempt, "timed out at", round(time.monotonic(), 3))
        continue
    print("answer", data.decode(), "from", addr[0], "on attempt", attempt)
    break
