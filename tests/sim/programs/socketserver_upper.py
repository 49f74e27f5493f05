# The standard library's socketserver, a threading TCP server answering line by line.
import socketserver


class Upper(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line.upper())


with socketserver.ThreadingTCPServer(("", 9200), Upper) as server:
    server.serve_forever()
