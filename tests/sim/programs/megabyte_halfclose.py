"""sendall of 1 MiB, then shutdown(SHUT_WR): the server reads to the end, answers with the count and a
digest and 4000 bytes more, and the client, which can no longer send (EPIPE), reads all of that."""

import hashlib
import socket
import threading

data = bytes(range(256)) * 4096
server = socket.create_server(("127.0.0.1", 8806))


def serve():
    conn, _ = server.accept()
    digest, count = hashlib.sha256(), 0
    while chunk := conn.recv(65536):
        digest.update(chunk)
        count += len(chunk)
    print("server: got", count, "bytes, then the end")
    conn.sendall(f"{count} {digest.hexdigest()[:16]}".encode() + b" bye" * 1000)
    conn.close()


threading.Thread(target=serve).start()
client = socket.create_connection(("127.0.0.1", 8806))
client.sendall(data)
client.shutdown(socket.SHUT_WR)
try:
    client.send(b"x")
except OSError as e:
    refused = f"{type(e).__name__} {e.errno}"
rest = b""
while chunk := client.recv(4096):
    rest += chunk
print("send after SHUT_WR:", refused)  # printed after the server's line: it wrote before it answered
answer = rest[:24].decode()
print("client: answer", answer, "as expected:", answer == f"{len(data)} {hashlib.sha256(data).hexdigest()[:16]}")
print("and", len(rest) - 24, "bytes more")
client.close()
