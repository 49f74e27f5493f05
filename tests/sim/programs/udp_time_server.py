# Starts late; answers each request with its clock.
import socket
import time

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("", 9300))
while True:
    data, addr = s.recvfrom(1024)
    s.sendto(str(round(time.monotonic(), 3)).encode(), addr)
