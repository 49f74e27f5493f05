# -*- coding=utf-8 -*-
# A wrong solution: the receiver answers to every host (<broadcast>), not to the sender alone.
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.bind(('', 7788))

(buf, address) = s.recvfrom(2048)
print("Got %s from %s" % (buf, address[0]))
s.sendto(b'hello from ' + socket.gethostname().encode(), ('<broadcast>', address[1]))
