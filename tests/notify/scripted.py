"""A local HTTP server that answers whatever a test scripts: failures a real peer may give
(HTTP errors, bodies that are not JSON, redirects, a dropped connection) and a record of
every request it got, to prove that something was, or was never, called."""
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DROP = "drop"  # an answer: close the connection without a word


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _any(self):
        server = self.server.scripted
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with server.lock:
            server.requests.append((self.command, self.path, body))
        answer = server.reply(self.command, self.path)
        if answer == DROP:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        status, headers, text = answer
        data = text.encode() if isinstance(text, str) else text
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = _any  # noqa: N815 - http.server's names


class ScriptedServer:
    """`reply(method, path) -> (status, headers, body) | DROP`; `requests` has what came."""

    def __init__(self, reply=None):
        self.reply = reply or (lambda method, path: (500, {}, "no script"))
        self.requests, self.lock = [], threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.scripted = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="scripted",
                                        daemon=True)
        self._thread.start()

    @property
    def origin(self):
        return f"http://127.0.0.1:{self._server.server_port}"

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def closed_port():
    """A local port nothing listens on (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
