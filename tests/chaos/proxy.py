"""A fault-injecting HTTP proxy on 127.0.0.1 (asyncio, in a thread of its own).

Between the phones and the server it does what a village's mobile network does:
  - drops `drop` of the responses: the request is forwarded (the server acts on it), then the
    phone's connection is closed without an answer; half of these wait for the server's answer
    and throw it away, half hang up on the server as soon as the request is written;
  - duplicates `duplicate` of the requests: a second copy goes upstream a moment later (up to
    `dup_delay` s), its answer thrown away, so it may overtake or follow the phone's next request;
  - reorders: every request waits a random 0..`max_delay` s before it goes upstream.
When the server is down it answers 502, as nginx would. One request per connection.
"""
import asyncio
import contextlib
import random
import threading
from collections import Counter

BAD_GATEWAY = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
MAX_HEAD = 64 * 1024


class ChaosProxy:
    def __init__(self, upstream_port, *, drop=0.2, duplicate=0.1, max_delay=0.05, dup_delay=0.3,
                 upstream_timeout=60.0, seed=None):
        self.upstream_port = upstream_port  # may be changed while running
        self.drop, self.duplicate, self.max_delay, self.dup_delay = drop, duplicate, max_delay, dup_delay
        self.upstream_timeout = upstream_timeout
        self.rng = random.Random(seed)
        self.stats = Counter()
        self.port = None
        self._loop = self._stop = None
        self._ready = threading.Event()
        self._thread = None
        self._tasks = set()
        self._error = None

    # -- running -------------------------------------------------------------------------------
    def start(self):
        self._thread = threading.Thread(target=self._run, name="chaos-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10) or self._error:
            raise RuntimeError(f"chaos proxy did not start: {self._error!r}")
        return self

    def stop(self):
        if self._loop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout=15)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _run(self):
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # noqa: BLE001 - reported by start()
            self._error = exc
            self._ready.set()

    async def _main(self):
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await server.wait_closed()

    def _spawn(self, coro):
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- one request ---------------------------------------------------------------------------
    async def _serve(self, reader, writer):
        self._tasks.add(asyncio.current_task())
        try:
            request = await asyncio.wait_for(_read_request(reader), 30)
            if request is None:
                return
            self.stats["requests"] += 1
            await asyncio.sleep(self.rng.uniform(0, self.max_delay))
            if self.rng.random() < self.duplicate:
                self.stats["duplicated"] += 1
                self._spawn(self._send_copy(request, self.rng.uniform(0, self.dup_delay)))
            if self.rng.random() < self.drop:
                self.stats["dropped"] += 1
                if self.rng.random() < 0.5:
                    await self._exchange(request)  # the server answers; the phone never hears it
                else:
                    await self._exchange(request, hang_up=True)
                return
            response = await self._exchange(request)
            if response is None:
                self.stats["bad_gateway"] += 1
                response = BAD_GATEWAY
            writer.write(response)
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, TimeoutError):
            self.stats["client_errors"] += 1
        finally:
            self._tasks.discard(asyncio.current_task())
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _send_copy(self, request, delay):
        await asyncio.sleep(delay)
        await self._exchange(request)

    async def _exchange(self, request, hang_up=False):
        """Send `request` upstream on a new connection; its whole response, or None if the
        server could not be reached or failed mid-answer."""
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", self.upstream_port), 5)
        except (OSError, TimeoutError):
            self.stats["upstream_refused"] += 1
            return None
        try:
            writer.write(request)
            await writer.drain()
            if hang_up:
                return None
            response = await asyncio.wait_for(reader.read(), self.upstream_timeout)
            return response if response.startswith(b"HTTP/") else None
        except (OSError, TimeoutError):
            self.stats["upstream_errors"] += 1
            return None
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def _read_request(reader):
    """One HTTP/1.1 request with a Content-Length body, rewritten to `Connection: close`."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise
    if len(head) > MAX_HEAD:
        raise ValueError("request head too large")
    lines = head[:-4].split(b"\r\n")
    kept, length = [lines[0]], 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        lname = name.strip().lower()
        if lname in (b"connection", b"keep-alive", b"proxy-connection"):
            continue
        if lname == b"transfer-encoding":
            raise ValueError("chunked requests are not supported")
        if lname == b"content-length":
            length = int(value.strip())
        kept.append(line)
    kept.append(b"Connection: close")
    body = await reader.readexactly(length) if length else b""
    return b"\r\n".join(kept) + b"\r\n\r\n" + body
