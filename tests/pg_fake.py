"""A stand-in PostgreSQL server for the red-team tests of where the gate connects (red100, red101): it accepts
libpq's startup, refuses SSL/GSS encryption, asks for a cleartext password and keeps every message it is sent, so
a test can tell whether the runner's PGPASSWORD left the machine for a host a repository named."""

from __future__ import annotations

import socket
import struct
import threading
from pathlib import Path


class FakePostgres:
    """Accepts libpq, refuses SSL/GSS encryption, asks for a cleartext password and keeps what it is sent."""

    def __init__(self, unix_dir: Path | None = None) -> None:
        if unix_dir is None:
            self.sock = socket.socket()
            # (127.0.0.2 stands for another host: any loopback address answers on Linux.)
            self.sock.bind(("127.0.0.2", 0))
            self.port = self.sock.getsockname()[1]
        else:
            self.port = 5432
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.bind(str(unix_dir / f".s.PGSQL.{self.port}"))
        self.sock.listen(4)
        self.sock.settimeout(20)
        self.received: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    @staticmethod
    def _read(conn: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def _serve(self) -> None:
        try:
            while True:
                conn, _ = self.sock.accept()
                with conn:
                    conn.settimeout(10)
                    try:
                        while True:  # SSLRequest / GSSENCRequest, then the startup message
                            length = struct.unpack("!I", self._read(conn, 4))[0]
                            body = self._read(conn, length - 4)
                            self.received.append(body)
                            if length == 8 and struct.unpack("!I", body)[0] in (80877103, 80877104):
                                conn.sendall(b"N")
                                continue
                            break
                        conn.sendall(b"R" + struct.pack("!II", 8, 3))  # AuthenticationCleartextPassword
                        kind = self._read(conn, 1)
                        length = struct.unpack("!I", self._read(conn, 4))[0]
                        self.received.append(kind + self._read(conn, length - 4))
                    except (ConnectionError, OSError):
                        pass
        except OSError:
            return
