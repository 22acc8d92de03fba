"""A real IMAP server for tests: Debian's dovecot, started in the foreground with a minimal
configuration in a temporary folder (loopback, a free port, one passwd-file user, Maildir,
no TLS), stopped with its whole process group.

Run as root (CI), dovecot's login processes run as `dovenull`, its internal ones as `dovecot`
and the mailbox as `nobody` (dovecot refuses root for all three); otherwise everything runs
as the current user.
"""

from __future__ import annotations

import contextlib
import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.distribution.smtp_sink import free_port

USER, PASSWORD = "bounces", "imap-test-password"


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot",) if os.access(p, os.X_OK)), None
    )


def _users() -> dict[str, str]:
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        return {"internal": me, "internal_group": group, "login": me, "mail": me, "group": group}
    nogroup = "nogroup" if _group_exists("nogroup") else "nobody"
    return {
        "internal": "dovecot",
        "internal_group": "dovecot",
        "login": "dovenull",
        "mail": "nobody",
        "group": nogroup,
    }


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = pressroom-test-{port}
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail} gid={group} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


class ImapServer:
    def __init__(self) -> None:
        # Not pytest's tmp_path: dovecot's unprivileged processes must reach their sockets,
        # and pytest's folders are private to the user who runs the tests.
        self.root = Path(tempfile.mkdtemp(prefix="pressroom-dovecot-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"

    def start(self) -> ImapServer:
        users = _users()
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir()
        shutil.chown(self.root / "mail", users["mail"], users["group"])
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        config = self.root / "dovecot.conf"
        config.write_text(CONFIG.format(root=self.root, port=self.port, **users))
        self.process = subprocess.Popen(  # noqa: S603 (a fixed binary and our own config)
            [dovecot_binary(), "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as probe,
            ):
                if probe.recv(64).startswith(b"* OK"):
                    return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dovecot did not answer within 15 s: {self.log()}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else "(no log)"

    def client(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(USER, PASSWORD)
        imap.select("INBOX")
        return imap

    def append(self, *raw_messages: bytes) -> None:
        imap = self.client()
        try:
            for raw in raw_messages:
                status, _ = imap.append("INBOX", None, None, raw)
                assert status == "OK"
        finally:
            imap.logout()

    def unseen(self) -> int:
        imap = self.client()
        try:
            _status, data = imap.uid("SEARCH", None, "UNSEEN")
            return len((data[0] or b"").split())
        finally:
            imap.logout()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        shutil.rmtree(self.root, ignore_errors=True)
