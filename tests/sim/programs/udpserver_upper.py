"""socketserver.UDPServer answering in upper case; after its shutdown a client's recvfrom times out."""

import socket
import socketserver
import threading


class Upper(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(data.upper(), self.client_address)


server = socketserver.UDPServer(("0.0.0.0", 9999), Upper)
threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.5}, daemon=True).start()
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.settimeout(1)
for word in (b"one", b"two"):
    c.sendto(word, ("127.0.0.1", 9999))
    print(c.recvfrom(100)[0])
server.shutdown()
server.server_close()
c.sendto(b"three", ("127.0.0.1", 9999))
try:
    print(c.recvfrom(100))
except OSError as e:
    print("after shutdown:", type(e).__name__, e.errno)
print("done")
