"""The netdevice(7) requests a program asks about its own interfaces (the classic "my IP address" recipe):
address, netmask, hardware address, MTU and index of lo and eth0, an unknown name, and uuid.getnode() (libuuid
reads the same hardware address)."""

import errno
import fcntl
import socket
import struct
import uuid

SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFHWADDR, SIOCGIFMTU, SIOCGIFINDEX = 0x8915, 0x891B, 0x8927, 0x8921, 0x8933
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)


def ask(name, request):
    return fcntl.ioctl(sock.fileno(), request, struct.pack("256s", name.encode()[:15]))


for name in ("lo", "eth0"):
    hardware = ask(name, SIOCGIFHWADDR)
    print(
        name,
        socket.inet_ntoa(ask(name, SIOCGIFADDR)[20:24]),
        socket.inet_ntoa(ask(name, SIOCGIFNETMASK)[20:24]),
        struct.unpack("H", hardware[16:18])[0],
        struct.unpack("i", ask(name, SIOCGIFMTU)[16:20])[0],
        struct.unpack("i", ask(name, SIOCGIFINDEX)[16:20])[0] == socket.if_nametoindex(name),
    )
    if name == "eth0":
        print("getnode is eth0's address:", uuid.getnode() == int.from_bytes(hardware[18:24], "big"))
buffer = bytearray(struct.pack("40s", b"lo"))
print("in place:", fcntl.ioctl(sock, SIOCGIFINDEX, buffer), struct.unpack("i", buffer[16:20])[0])
try:
    ask("nosuch0", SIOCGIFADDR)
except OSError as error:
    print("nosuch0:", errno.errorcode[error.errno])
