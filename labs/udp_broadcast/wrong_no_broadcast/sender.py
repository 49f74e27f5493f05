# -*- coding=utf-8 -*-
# A wrong solution: no SO_BROADCAST, so the kernel refuses the broadcast (PermissionError).
import socket

dest = ('<broadcast>', 7788)  # the operating system turns <broadcast> into 255.255.255.255

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'Hi', dest)

print("等待对方回复")

while True:
    (buf, address) = s.recvfrom(2048)
    print("Received from %s: %s" % (address, buf))
