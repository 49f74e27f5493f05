"""_thread.interrupt_main from another thread: asyncio's add_signal_handler callback runs, a handler set with
signal.signal is called in the main thread, SIGINT's default handler stops http.server's serve_forever with
KeyboardInterrupt, SIG_IGN and SIG_DFL do nothing, and _thread.exit ends a thread."""

import _thread
import asyncio
import http.server
import signal
import threading
import time


async def main():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGINT, stop.set_result, "stopped by SIGINT")
    threading.Timer(0.2, _thread.interrupt_main).start()
    print("asyncio:", await stop)


asyncio.run(main())

got = []
signal.signal(signal.SIGUSR1, lambda number, frame: got.append((signal.Signals(number).name, frame is not None)))
threading.Timer(0.1, _thread.interrupt_main, args=(signal.SIGUSR1,)).start()
time.sleep(0.3)
print("handler:", got)

signal.signal(signal.SIGUSR2, signal.SIG_IGN)
_thread.interrupt_main(signal.SIGUSR2)
_thread.interrupt_main(signal.SIGTERM)  # SIG_DFL: nothing happens
print("ignored and default: nothing")
try:
    _thread.interrupt_main(0)
except ValueError as error:
    print("ValueError:", error)


def ends_early():
    _thread.exit()
    print("never printed")


thread = threading.Thread(target=ends_early)
thread.start()
thread.join()
print("_thread.exit ended the thread")

server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
threading.Timer(0.2, _thread.interrupt_main).start()
try:
    server.serve_forever(poll_interval=0.1)
except KeyboardInterrupt:
    print("serve_forever: KeyboardInterrupt")
server.server_close()
