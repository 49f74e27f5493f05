"""http.server's ThreadingHTTPServer in a thread; urllib.request and http.client (keep-alive) as clients."""

import http.client
import http.server
import json
import threading
import urllib.error
import urllib.request

served = []


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/missing":
            self.send_error(404)
            return
        body = json.dumps({"path": self.path, "client": self.client_address[0]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.upper())

    def log_message(self, fmt, *args):
        served.append(fmt % args)


httpd = http.server.ThreadingHTTPServer(("", 8080), Handler)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
with urllib.request.urlopen("http://127.0.0.1:8080/hello?x=1", timeout=2) as r:
    print(r.status, r.headers["Content-Type"], json.loads(r.read()))
try:
    urllib.request.urlopen("http://127.0.0.1:8080/missing", timeout=2)
except urllib.error.HTTPError as e:
    print("HTTPError", e.code)
conn = http.client.HTTPConnection("127.0.0.1", 8080, timeout=2)
for i in range(2):  # keep-alive: one connection, two requests
    conn.request("POST", "/echo", body=b"payload %d" % i)
    r = conn.getresponse()
    print(r.status, r.read())
conn.close()
try:
    urllib.request.urlopen("http://127.0.0.1:8081/", timeout=2)
except urllib.error.URLError as e:
    print("URLError", type(e.reason).__name__)
httpd.shutdown()
httpd.server_close()
print("the server logged:", served)
print("done")
