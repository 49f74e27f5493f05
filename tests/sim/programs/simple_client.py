# Connect, send argv[3], print the answer.
import sys
from socket import *

s = socket(AF_INET, SOCK_STREAM)
s.connect((sys.argv[1], int(sys.argv[2])))
s.send(sys.argv[3].encode())
print(s.recv(1024).decode())
s.close()
