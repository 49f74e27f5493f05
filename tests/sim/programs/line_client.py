# Send two lines through a makefile() pair and read the two answers.
import socket

with socket.create_connection(("server", 9200)) as s:
    f = s.makefile("rw", encoding="utf-8", newline="\n")
    for word in ("hello", "world"):
        f.write(word + "\n")
        f.flush()
        print(f.readline().strip())
