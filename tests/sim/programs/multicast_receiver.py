# Join 239.1.2.3 and print what arrives on port 5007.
import socket
import struct

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", 5007))
mreq = struct.pack("4sl", socket.inet_aton("239.1.2.3"), socket.INADDR_ANY)
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
for _ in range(2):
    data, addr = s.recvfrom(1024)
    print(socket.gethostname(), "got", data.decode(), "from", addr[0])
