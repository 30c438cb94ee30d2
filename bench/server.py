"""Goldfish served for real: `goldfish serve` in a subprocess, on a free
port, over a database of the caller's choosing.

The live tests, the browser tests and the benches all start the server this
way, so what they see is what a user sees: separate connections from a real
pool, one or several worker processes, real signals.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

STARTUP_SECONDS = 90  # a loaded CI machine can take long to import the app in each worker
GOLDFISH = Path(sys.executable).with_name("goldfish")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, settings: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without its Goldfish settings (a developer's
    shell may close sign-up or point at another database), plus ours."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GOLDFISH_") and k not in ("DATABASE_URL", "HOST", "PORT")
    }
    env |= {
        "DATABASE_URL": database_url,
        "GOLDFISH_ENV": "test",
        "GOLDFISH_SECRET_KEY": secrets.token_urlsafe(36),  # 48 characters
        **(settings or {}),
    }
    return env


@dataclass
class Server:
    url: str
    database_url: str
    log_path: Path
    process: subprocess.Popen
    started_in: float  # seconds from spawning to the first 200 of /healthz

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def alive(self) -> bool:
        return self.process.poll() is None

    def signal(self, sig: int) -> None:
        """To the whole process group: the supervisor and its workers."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM, as a service manager sends it; SIGKILL if it hangs."""
        if self.alive():
            self.signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        """kill -9 of every process of the server, as a crash would."""
        self.signal(signal.SIGKILL)
        self.process.wait()


def start(
    database_url: str,
    workdir: Path,
    *,
    workers: int = 1,
    settings: dict[str, str] | None = None,
    port: int | None = None,
    log_name: str = "server.log",
) -> Server:
    """Spawn `goldfish serve` and wait until it answers /healthz."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = workdir / log_name
    argv = [str(GOLDFISH), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        argv += ["--workers", str(workers)]
    spawned = time.monotonic()
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 (our own goldfish command, fixed arguments)
            argv,
            cwd=workdir,  # no stray .env is read from the checkout
            env=server_env(database_url, settings),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, for signals to all workers
        )
    server = Server(url, database_url, log_path, process, started_in=0.0)
    try:
        server.started_in = _wait_until_healthy(server) - spawned
    except BaseException:
        if server.alive():
            server.kill()
        raise
    return server


def _wait_until_healthy(server: Server) -> float:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and server.alive():
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return time.monotonic()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.02)
    state = f"exited with {server.process.poll()}" if not server.alive() else "not healthy"
    raise RuntimeError(f"goldfish serve {state} at {server.url}; its log:\n{server.log()}")


@contextmanager
def running(database_url: str, workdir: Path, **kwargs) -> Iterator[Server]:
    server = start(database_url, workdir, **kwargs)
    try:
        yield server
    finally:
        if server.alive():
            with suppress(subprocess.TimeoutExpired):
                server.stop()
