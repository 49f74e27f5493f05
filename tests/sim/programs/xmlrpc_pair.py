"""xmlrpc.server in a thread and xmlrpc.client calling it: results, a fault, introspection, a multicall."""

import threading
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCServer

server = SimpleXMLRPCServer(("127.0.0.1", 8000), logRequests=False, allow_none=True)
server.register_function(lambda a, b: a + b, "add")
server.register_function(lambda: 1 / 0, "boom")
server.register_introspection_functions()
server.register_multicall_functions()
threading.Thread(target=server.serve_forever, daemon=True).start()

proxy = xmlrpc.client.ServerProxy("http://127.0.0.1:8000/")
print("add", proxy.add(2, 3), proxy.add("a", "b"))
print("methods", sorted(m for m in proxy.system.listMethods() if not m.startswith("system")))
try:
    proxy.boom()
except xmlrpc.client.Fault as f:
    print("fault", f.faultCode, f.faultString.split(":")[0])
multi = xmlrpc.client.MultiCall(proxy)
multi.add(1, 1)
multi.add(2, 2)
print("multicall", list(multi()))
server.shutdown()
server.server_close()
print("done")
