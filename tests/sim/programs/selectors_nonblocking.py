"""selectors.DefaultSelector over non-blocking sockets: one thread serves three clients that
connect with connect_ex (EINPROGRESS), write when connected, then read the answer."""

import errno
import selectors
import socket

sel = selectors.DefaultSelector()
print(type(sel).__name__)
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 8803))
server.listen()
server.setblocking(False)
sel.register(server, selectors.EVENT_READ, "server")

clients = []
for i in range(3):
    c = socket.socket()
    c.setblocking(False)
    print("connect_ex", errno.errorcode.get(c.connect_ex(("127.0.0.1", 8803))))
    sel.register(c, selectors.EVENT_WRITE, ("client", i))
    clients.append(c)
try:
    clients[0].recv(10)
except BlockingIOError as e:
    print("recv would block:", errno.errorcode[e.errno])

answers = 0
while answers < 3:
    for key, mask in sel.select(timeout=2):
        if key.data == "server":
            conn, _ = server.accept()
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ, "conn")
        elif key.data == "conn":
            data = key.fileobj.recv(100)
            if data:
                key.fileobj.send(b"re:" + data)
            else:
                sel.unregister(key.fileobj)
                key.fileobj.close()
        elif mask & selectors.EVENT_WRITE:
            _, i = key.data
            print("client", i, "connected, SO_ERROR", key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
            key.fileobj.send(b"msg%d" % i)
            sel.modify(key.fileobj, selectors.EVENT_READ, ("answer", i))
        else:
            print("client", key.data[1], "got", key.fileobj.recv(100))
            answers += 1
            sel.unregister(key.fileobj)
            key.fileobj.close()
print("still ready:", sorted(str(key.data) for key, _ in sel.select(timeout=0.2)))
sel.close()
print("done")
