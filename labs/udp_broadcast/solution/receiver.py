# -*- coding=utf-8 -*-
# The broadcast receiver: wait on UDP 7788, print who said what, answer the sender alone.
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('', 7788))  # every address of this host, the broadcast one too

(buf, address) = s.recvfrom(2048)
print("Got %s from %s" % (buf, address[0]))
s.sendto(b'hello from ' + socket.gethostname().encode(), address)
