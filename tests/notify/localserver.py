"""A local HTTP peer on a free loopback port, served from a thread: the base of the WeCom and
SMS provider servers. The handler reaches its peer as `self.server.peer`."""
import threading
from http.server import ThreadingHTTPServer


class LocalServer:
    handler = None  # a BaseHTTPRequestHandler subclass
    name = "local"

    _server = _thread = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self._server.daemon_threads = True
        self._server.peer = self
        self._thread = threading.Thread(target=self._server.serve_forever, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
