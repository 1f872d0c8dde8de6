"""Remote control of a lab phone: baresip's ctrl_tcp module, JSON messages in netstrings.

Commands are baresip menu commands without the slash (dial URI, accept, hangup, transfer URI,
listcalls). Events look like {"event": true, "type": "CALL_INCOMING", "id": CALL-ID, ...};
baresip's call id is the SIP Call-ID.
"""
import json
import socket
import threading
import time


class PhoneError(RuntimeError):
    """A phone did not answer a command or did not report an expected event in time."""


class Phone:
    """One baresip instance. Events are queued in arrival order; wait() consumes them."""

    def __init__(self, name, port, connect_timeout=10.0):
        self.name = name
        try:
            self.socket = socket.create_connection(("127.0.0.1", port), timeout=connect_timeout)
        except OSError as error:
            raise PhoneError("%s: cannot reach its control port 127.0.0.1:%d (%s); is the lab "
                             "running (scripts/lab/lab status)?" % (name, port, error)) from None
        self.socket.settimeout(0.2)
        self.condition = threading.Condition()
        self.events = []
        self.responses = {}
        self.token = 0
        self.open = True
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        buffer = b""
        while self.open:
            try:
                data = self.socket.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not data:
                break
            buffer += data
            while True:
                length, colon, rest = buffer.partition(b":")
                if not colon or not length.isdigit() or len(rest) < int(length) + 1:
                    break
                size = int(length)
                message = json.loads(rest[:size].decode("utf-8", "replace"))
                buffer = rest[size + 1:]  # netstring ends with ","
                with self.condition:
                    if message.get("event"):
                        self.events.append(message)
                    elif "token" in message:
                        self.responses[message["token"]] = message
                    self.condition.notify_all()
        with self.condition:
            self.open = False
            self.condition.notify_all()

    def command(self, name, params=None, timeout=10.0):
        """Sends a menu command and returns baresip's response (a dict with "ok" and "data")."""
        with self.condition:
            self.token += 1
            token = str(self.token)
        message = {"command": name, "token": token}
        if params is not None:
            message["params"] = params
        body = json.dumps(message).encode()
        self.socket.sendall(str(len(body)).encode() + b":" + body + b",")
        deadline = time.monotonic() + timeout
        with self.condition:
            while token not in self.responses:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self.open:
                    raise PhoneError("%s: no response to %r within %.0f s" % (self.name, name, timeout))
                self.condition.wait(remaining)
            return self.responses.pop(token)

    def wait(self, kind, timeout=20.0):
        """Consumes events up to the first of this type and returns it."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while True:
                while self.events:
                    event = self.events.pop(0)
                    if event.get("type") == kind:
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self.open:
                    raise PhoneError("%s: no %s event within %.0f s" % (self.name, kind, timeout))
                self.condition.wait(remaining)

    def forget_events(self):
        with self.condition:
            self.events.clear()

    def active_calls(self):
        """The number of calls baresip lists (0 when idle)."""
        data = self.command("listcalls").get("data", "")
        start = data.find("Active calls (")
        if start < 0:
            return 0
        digits = data[start + len("Active calls ("):].split(")", 1)[0]
        return int(digits) if digits.isdigit() else 0

    def make_idle(self, timeout=10.0):
        """Hangs up whatever is still up, so that the next scenario starts clean."""
        deadline = time.monotonic() + timeout
        while self.active_calls() > 0:
            if time.monotonic() > deadline:
                raise PhoneError("%s: calls still active after %.0f s of hangups" % (self.name, timeout))
            self.command("hangup")
            time.sleep(0.3)
        self.forget_events()

    def close(self):
        self.open = False
        self.thread.join(2)
        self.socket.close()
