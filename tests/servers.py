"""Start and stop throwaway servers on loopback for tests (DESIGN: real servers, not mocks).

Each server is a child process on 127.0.0.1 and a free port, in a temporary folder, stopped by its
pid. ``make test`` installs the binaries; a test that needs one that is missing is skipped by its
fixture with the reason.
"""

from __future__ import annotations

import contextlib
import ctypes
import email
import email.policy
import json
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port that is free on loopback right now (the caller still races other processes)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, *, timeout: float = 10.0, host: str = LOOPBACK) -> None:
    """Block until something accepts TCP connections on ``host:port``; TimeoutError otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s") from None
            time.sleep(0.05)


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it when the pytest process that started it dies.

    The fixture stops the server on a normal or interrupted end; this also covers a pytest worker
    killed outright, which would otherwise leave an orphaned server holding a port.
    """
    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = 10.0) -> None:
    """Stop a child by its pid: SIGTERM, then SIGKILL if it has not exited within ``timeout``."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


@dataclass(frozen=True)
class RedisServer:
    port: int
    pid: int
    workdir: Path

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"


def redis_available() -> bool:
    return shutil.which("redis-server") is not None


def _redis_ping(port: int) -> bool:
    # Plain RESP over a socket: no dependency on a client library for the health check.
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def redis_server(*, timeout: float = 10.0, attempts: int = 3) -> Iterator[RedisServer]:
    """Run a throwaway ``redis-server`` (no persistence) on a free loopback port while in the block.

    The port is picked before the server binds it, so another process may take it first; the
    server then exits at once and we try again with another port.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server is not installed (apt-get install redis-server)")
    workdir = Path(tempfile.mkdtemp(prefix="weibao-redis-"))
    process: subprocess.Popen[bytes] | None = None
    try:
        for _ in range(attempts):
            port = free_port()
            log = (workdir / f"redis-{port}.log").open("wb")
            # No persistence (--save "", no AOF): the data is thrown away with the server.
            command = [binary, "--port", str(port), "--bind", LOOPBACK, "--save", "", "--appendonly", "no"]
            command += ["--dir", str(workdir), "--daemonize", "no", "--protected-mode", "yes"]
            process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # preexec_fn is not fork-safe with threads; the session fixture runs in the main thread.
                preexec_fn=_die_with_parent,
            )
            log.close()
            deadline = time.monotonic() + timeout
            while process.poll() is None and not _redis_ping(port):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            if process.poll() is None and _redis_ping(port):
                yield RedisServer(port=port, pid=process.pid, workdir=workdir)
                return
            stop_process(process)
            process = None
        logs = "\n".join(p.read_text(errors="replace") for p in sorted(workdir.glob("*.log")))
        raise RuntimeError(f"redis-server did not start after {attempts} attempts:\n{logs}")
    finally:
        if process is not None:
            stop_process(process)
        shutil.rmtree(workdir, ignore_errors=True)


@dataclass(frozen=True)
class ImapServer:
    """A throwaway dovecot: plain IMAP on loopback, users from a passwd file, Maildir in ``workdir``."""

    port: int
    pid: int
    workdir: Path
    users: dict[str, str]

    host: str = LOOPBACK


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)


def _dovecot_config(*, workdir: Path, port: int, users: dict[str, str], tokeninfo_url: str = "") -> Path:
    import grp
    import os
    import pwd

    (workdir / "run").mkdir()
    (workdir / "mail").mkdir()
    passwd = workdir / "passwd"
    passwd.write_text("".join(f"{user}:{{PLAIN}}{password}::::::\n" for user, password in users.items()))
    if os.geteuid() == 0:
        # dovecot refuses to run its login processes or mail users as root: the Debian package's
        # unprivileged accounts (or nobody) own them.
        def account(name: str, fallback: str) -> pwd.struct_passwd:
            try:
                return pwd.getpwnam(name)
            except KeyError:
                return pwd.getpwnam(fallback)

        login, internal, mail = (
            account("dovenull", "nobody"),
            account("dovecot", "nobody"),
            account("nobody", "nobody"),
        )
        os.chown(workdir / "mail", mail.pw_uid, mail.pw_gid)
        passwd.chmod(0o644)
        login_user, internal_user = login.pw_name, internal.pw_name
        internal_group = grp.getgrgid(internal.pw_gid).gr_name
        mail_ids = (mail.pw_uid, mail.pw_gid)
        first_valid = 1
    else:
        me = pwd.getpwuid(os.getuid())
        login_user = internal_user = me.pw_name
        internal_group = grp.getgrgid(me.pw_gid).gr_name
        mail_ids = (me.pw_uid, me.pw_gid)
        first_valid = 1 if me.pw_uid else 0
    oauth2 = ""
    if tokeninfo_url:
        # XOAUTH2 sign-in: dovecot asks the token endpoint (GET <url><token>) whose answer names the user.
        oauth2_conf = workdir / "dovecot-oauth2.conf.ext"
        oauth2_conf.write_text(
            f"tokeninfo_url = {tokeninfo_url}\nintrospection_mode = auth\nusername_attribute = email\n"
            "active_attribute = active\nactive_value = true\n"
        )
        oauth2_conf.chmod(0o644)
        oauth2 = (
            f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {oauth2_conf}\n}}\n"
        )
    config = workdir / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {workdir}/run
state_dir = {workdir}/run
instance_name = weibao-test-{port}
log_path = {workdir}/dovecot.log
protocols = imap
listen = {LOOPBACK}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login{" xoauth2 oauthbearer" if tokeninfo_url else ""}
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = {first_valid}
mail_location = maildir:{workdir}/mail/%u
mail_uid = {mail_ids[0]}
mail_gid = {mail_ids[1]}
service imap-login {{
  inet_listener imap {{
    address = {LOOPBACK}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    user = {internal_user}
    mode = 0666
  }}
  unix_listener stats-writer {{
    user = {internal_user}
    mode = 0666
  }}
}}
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {passwd}
}}
{oauth2}userdb {{
  driver = static
  args = uid={mail_ids[0]} gid={mail_ids[1]} home={workdir}/mail/%u
}}
"""
    )
    return config


@contextlib.contextmanager
def imap_server(
    *, users: dict[str, str], tokeninfo_url: str = "", timeout: float = 15.0, attempts: int = 3
) -> Iterator[ImapServer]:
    """Run dovecot in the foreground on a free loopback port while in the block; stopped by its pid.

    With ``tokeninfo_url`` it also accepts XOAUTH2/OAUTHBEARER, checking each access token by a GET of
    that URL with the token appended (an OAuth2 provider's token-info endpoint; tests serve their own).
    """
    binary = dovecot_binary()
    if binary is None:
        raise FileNotFoundError("dovecot is not installed (apt-get install dovecot-imapd)")
    process: subprocess.Popen[bytes] | None = None
    workdir = Path(tempfile.mkdtemp(prefix="weibao-imap-"))
    workdir.chmod(0o755)
    try:
        for attempt in range(attempts):
            port = free_port()
            attempt_dir = workdir / str(attempt)
            attempt_dir.mkdir()
            attempt_dir.chmod(0o755)
            config = _dovecot_config(workdir=attempt_dir, port=port, users=users, tokeninfo_url=tokeninfo_url)
            process = subprocess.Popen(
                [binary, "-F", "-c", str(config)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
            )
            try:
                wait_for_port(port, timeout=timeout)
            except TimeoutError:
                stop_process(process)
                process = None
                continue
            yield ImapServer(port=port, pid=process.pid, workdir=attempt_dir, users=users)
            return
        logs = "\n".join(p.read_text(errors="replace") for p in sorted(workdir.rglob("dovecot.log")))
        raise RuntimeError(f"dovecot did not start after {attempts} attempts:\n{logs}")
    finally:
        if process is not None:
            stop_process(process)
        shutil.rmtree(workdir, ignore_errors=True)


# --------------------------------------------------------------------------- SMTP sink (aiosmtpd)


@dataclass
class SmtpSink:
    """An aiosmtpd server on loopback that keeps every message it accepts (``messages``: raw bytes)."""

    host: str
    port: int
    messages: list[bytes]
    #: Recipients to refuse with 550 (a permanent failure) while they are in this set.
    refuse: set[str]

    def parsed(self) -> list[Any]:
        return [email.message_from_bytes(raw, policy=email.policy.default) for raw in self.messages]

    def wait_for(self, count: int, *, timeout: float = 20.0) -> list[Any]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.parsed()


@contextlib.contextmanager
def smtp_sink() -> Iterator[SmtpSink]:
    """Start an aiosmtpd SMTP server in a thread on 127.0.0.1; stopped when the block ends."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink(host=LOOPBACK, port=free_port(), messages=[], refuse=set())

    class Handler:
        async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            if address.lower() in sink.refuse:
                return "550 5.1.1 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            sink.messages.append(bytes(envelope.original_content or envelope.content))
            return "250 Message accepted"

    controller = Controller(Handler(), hostname=LOOPBACK, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


# --------------------------------------------------------------------------- webhook receiver


@dataclass
class WebhookHit:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class WebhookReceiver:
    """A local HTTP server that records every POST and answers what ``reply`` says for its path."""

    base_url: str
    hits: list[WebhookHit]
    #: path -> (HTTP status, JSON body or None); unknown paths answer 200 {"errcode": 0}.
    replies: dict[str, tuple[int, Any]]
    #: path -> a check of the hit (a vendor's signature scheme): None to accept it, else the JSON
    #: body the vendor answers a refused call with (HTTP 200, as the robots do).
    checks: dict[str, Any]

    def wait_for(self, count: int, *, timeout: float = 20.0) -> list[WebhookHit]:
        deadline = time.monotonic() + timeout
        while len(self.hits) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.hits)


@contextlib.contextmanager
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """Start an HTTP server in a thread on 127.0.0.1 that plays the robots' side of a webhook."""
    import http.server
    import threading
    import urllib.parse

    receiver = WebhookReceiver(base_url="", hits=[], replies={}, checks={})

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            hit = WebhookHit(
                path=parts.path,
                query=dict(urllib.parse.parse_qsl(parts.query)),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length),
            )
            receiver.hits.append(hit)
            check = receiver.checks.get(parts.path)
            error = check(hit) if check else None
            status, answer = receiver.replies.get(parts.path, (200, {"errcode": 0, "errmsg": "ok"}))
            if error is not None:
                status, answer = 200, error
            raw = json.dumps(answer).encode() if answer is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), Handler)
    receiver.base_url = f"http://{LOOPBACK}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
