"""Writes hello.txt in its working directory: each host its own (README, lanlab sim run --files)."""

import socket

with open("hello.txt", "w") as file:
    file.write(f"written on {socket.gethostname()}\n")
with open("hello.txt") as file:
    print(file.read().strip())
