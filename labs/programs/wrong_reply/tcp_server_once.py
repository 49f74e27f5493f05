# -*- coding=utf-8 -*-
# A wrong solution: the server answers b'thanks', not b'thank YOU!'
from socket import *

# 创建socket
tcpServerSocket = socket(AF_INET, SOCK_STREAM) # 使用TCP协议

# 绑定本地信息
address = ('', 7788)

tcpServerSocket.bind(address)

# 使用socket创建的套接字默认的属性是主动的，使用listen将其变为被动的，这样就可以接收
tcpServerSocket.listen(5) #最多允许多少个客户连接到服务器

# 如果有新的客户端来链接服务器，那么就产生一个新的套接字专门为这个客户端服务器
# newSocket用来为这个客户端服务
# tcpSerSocket就可以省下来专门等待其他新客户端的链接
newSocket, clientAddr = tcpServerSocket.accept()

print('%s'%str(clientAddr))

# 接收对方发送过来的数据，最大接收1024字节
recvData = newSocket.recv(1024)

print('接收数据为：%s'%recvData.decode('gb2312'))

# 发送数据到客户端
newSocket.send(b'thanks')

# 关闭为这个客户端服务的套接字
newSocket.close()

# 关闭监听套接字
tcpServerSocket.close()
