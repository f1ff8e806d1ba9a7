"""The container's health probe: ``GET /healthz`` where gunicorn listens (``GUNICORN_BIND``).

``python3 -m config.healthcheck`` exits 0 when the answer is 200 and 1 otherwise, with one line
saying why. It uses only the standard library, so it runs before Django is imported and even
when the application cannot start. A wildcard bind (``0.0.0.0``, ``::``) is probed on loopback;
``unix:/path`` through the socket.
"""

import http.client
import os
import socket
import sys

DEFAULT_BIND = "127.0.0.1:8000"
TIMEOUT_SECONDS = 4


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def probe_target(bind):
    """``("unix", path)`` or ``("tcp", host, port)`` for the first address of a gunicorn bind."""
    bind = (bind or DEFAULT_BIND).split(",")[0].strip()
    if bind.startswith("unix:"):
        return ("unix", bind[len("unix:") :])
    if bind.startswith("fd://"):
        raise ValueError(f"cannot probe a file-descriptor bind: {bind}")
    if bind.startswith("["):
        host, _, port = bind[1:].partition("]")
        port = port.removeprefix(":")
    elif ":" in bind:
        host, _, port = bind.rpartition(":")
    else:
        host, port = bind, ""
    port = port or "8000"
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if not port.isdigit():
        raise ValueError(f"not a host:port bind: {bind}")
    return ("tcp", host, int(port))


def connection(target, timeout=TIMEOUT_SECONDS):
    if target[0] == "unix":
        return UnixHTTPConnection(target[1], timeout)
    return http.client.HTTPConnection(target[1], target[2], timeout=timeout)


def main():
    try:
        target = probe_target(os.environ.get("GUNICORN_BIND", ""))
        conn = connection(target)
        conn.request("GET", "/healthz", headers={"Host": "localhost"})
        status = conn.getresponse().status
    except (OSError, ValueError, http.client.HTTPException) as error:
        print(f"healthcheck: {error}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"healthcheck: /healthz answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
