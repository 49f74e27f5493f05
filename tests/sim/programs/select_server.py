# One thread, many clients: select() over the listening socket and every connection.
import select
import socket

server = socket.socket()
server.bind(("", 9100))
server.listen(10)
clients = []
messages = 0
while messages < 3:
    readable, _, _ = select.select([server] + clients, [], [])
    for s in readable:
        if s is server:
            conn, addr = server.accept()
            clients.append(conn)
        else:
            data = s.recv(1024)
            if data:
                messages += 1
                s.send(b"got " + data)
            else:
                clients.remove(s)
                s.close()
print("served", messages, "messages")
