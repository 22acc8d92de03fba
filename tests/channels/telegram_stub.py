"""A local stand-in for the Telegram Bot API: sendMessage and sendDocument, recorded.

A threaded http.server on loopback. Each request is recorded as it arrives (before any delay),
so a test sees what reached "Telegram" even if the caller died waiting for the answer. Answers
can be scripted per method or chat: 429 with retry_after, 500, 400, or a delay.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    token: str
    method: str
    fields: dict[str, str]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    @property
    def chat(self) -> str:
        return self.fields.get("chat_id", "")


@dataclass
class Answer:
    status: int = 200
    retry_after: int | None = None
    delay: float = 0.0
    description: str = ""


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[Request] = []
        # (method or "*", chat or "*") -> answers to give in turn (the last one stays)
        self.script: dict[tuple[str, str], list[Answer]] = {}
        self.next_id = 1000

    def answer_for(self, method: str, chat: str) -> Answer:
        with self.lock:
            for key in ((method, chat), (method, "*"), ("*", chat), ("*", "*")):
                answers = self.script.get(key)
                if answers:
                    return answers.pop(0) if len(answers) > 1 else answers[0]
        return Answer()

    def record(self, request: Request) -> int:
        with self.lock:
            self.requests.append(request)
            self.next_id += 1
            return self.next_id

    def of(self, method: str | None = None, chat: str | None = None) -> list[Request]:
        with self.lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method) and (chat is None or r.chat == chat)
            ]


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict, dict]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields, files = {}, {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if filename:
            files[name] = (filename, payload)
        else:
            fields[name] = payload.decode("utf-8")
    return fields, files


def _handler(recorder: Recorder):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            parts = self.path.strip("/").split("/")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if len(parts) != 2 or not parts[0].startswith("bot"):
                self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            token, method = parts[0][3:], parts[1]
            content_type = self.headers.get("Content-Type", "")
            if content_type.startswith("multipart/form-data"):
                fields, files = _parse_multipart(content_type, body)
            else:
                fields, files = json.loads(body.decode("utf-8") or "{}"), {}
                fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
            message_id = recorder.record(Request(token, method, fields, files))
            answer = recorder.answer_for(method, fields.get("chat_id", ""))
            if answer.delay:
                time.sleep(answer.delay)
            if answer.status == 200:
                self._json(200, {"ok": True, "result": {"message_id": message_id}})
                return
            data = {
                "ok": False,
                "error_code": answer.status,
                "description": answer.description or f"error {answer.status}",
            }
            if answer.retry_after is not None:
                data["parameters"] = {"retry_after": answer.retry_after}
            self._json(answer.status, data)

        def _json(self, status: int, data: dict) -> None:
            raw = json.dumps(data).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except OSError:
                pass  # the caller is gone (a killed worker)

    return Handler


def start_stub() -> tuple[ThreadingHTTPServer, Recorder, str]:
    """(server, recorder, base URL); stop with server.shutdown()."""
    recorder = Recorder()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, recorder, f"http://127.0.0.1:{server.server_address[1]}"
