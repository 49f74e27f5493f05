# -*- coding=utf-8 -*-
# The note's broadcast sender: one datagram to every host on the LAN, then every reply printed.
import socket

dest = ('<broadcast>', 7788)  # the operating system turns <broadcast> into 255.255.255.255

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# Without SO_BROADCAST the kernel refuses to send to a broadcast address (PermissionError).
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.sendto(b'Hi', dest)

print("等待对方回复")

while True:
    (buf, address) = s.recvfrom(2048)
    print("Received from %s: %s" % (address, buf))
