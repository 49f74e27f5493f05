"""os's descriptor calls on a socket's number: fstat says a socket, the calls a socket refuses give Linux's
errno, a number the process does not have is EBADF, and os.sendfile and os.writev/readv carry the data."""

import errno
import os
import socket
import stat
import tempfile

listener = socket.create_server(("127.0.0.1", 0))
client = socket.create_connection(listener.getsockname())
server, _ = listener.accept()
fd = client.fileno()
print("fstat is a socket:", stat.S_ISSOCK(os.fstat(fd).st_mode))
for name, call in (
    ("ftruncate", lambda: os.ftruncate(fd, 0)),
    ("lseek", lambda: os.lseek(fd, 0, os.SEEK_SET)),
    ("fsync", lambda: os.fsync(fd)),
    ("pread", lambda: os.pread(fd, 1, 0)),
    ("ttyname", lambda: os.ttyname(fd)),
    ("get_inheritable", lambda: os.get_inheritable(fd)),
    ("fstat of 900", lambda: os.fstat(900)),
    ("close of 900", lambda: os.close(900)),
):
    try:
        print(name, call())
    except OSError as error:
        print(name, errno.errorcode[error.errno])
with tempfile.TemporaryFile() as file:
    file.write(b"0123456789" * 10)
    file.flush()
    print("sendfile:", os.sendfile(fd, file.fileno(), 10, 50))
server.settimeout(2)
received = b""
while len(received) < 50:
    received += server.recv(100)
print("received:", received[:12], len(received))
print("writev:", os.writev(server.fileno(), [b"ab", b"cd"]))
first, second = bytearray(3), bytearray(1)
print("readv:", os.readv(fd, [first, second]), bytes(first), bytes(second))
