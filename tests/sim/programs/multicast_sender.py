# Send two datagrams to the group 239.1.2.3:5007 with TTL 2.
import socket
import time

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
for text in ("one", "two"):
    s.sendto(text.encode(), ("239.1.2.3", 5007))
    time.sleep(0.1)
print("sent")
