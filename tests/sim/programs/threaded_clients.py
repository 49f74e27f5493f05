# Several client threads at once; each sends its name and checks the echo.
import socket
import sys
import threading
import time

results = {}


def worker(name):
    with socket.create_connection((sys.argv[1], 9000)) as s:
        s.sendall(name.encode())
        results[name] = s.recv(1024).decode()
        time.sleep(0.05)


threads = [threading.Thread(target=worker, args=(f"client{i}",)) for i in range(5)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(results.items()))
