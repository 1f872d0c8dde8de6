"""A minimal RFC 4235 watcher: SUBSCRIBEs to `Event: dialog` of extensions as the `agent` user
(digest auth), answers every NOTIFY with 200 and keeps the dialog states it reported.

The selftest uses it to prove that the dialog-event source ringlog will subscribe to works.
"""
import secrets
import socket
import threading
import time
import xml.etree.ElementTree as ElementTree

from .sipmsg import Message, authorization, new_branch, new_tag, reply_200

NAMESPACE = "{urn:ietf:params:xml:ns:dialog-info}"


class WatcherError(RuntimeError):
    """A subscription was not accepted."""


class DialogWatcher:
    """Subscribes from 127.0.0.1:PORT; states[call_id] lists the states NOTIFYs reported."""

    def __init__(self, lab, port, user="agent", password=None):
        self.pbx = (lab["pbx"]["host"], lab["pbx"]["port"])
        self.port = port
        self.user = user
        self.password = password or lab["agent"]["password"]
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.socket.bind(("127.0.0.1", port))
        except OSError as error:
            self.socket.close()
            raise WatcherError("cannot bind the dialog watcher to 127.0.0.1:%d (%s)"
                               % (port, error.strerror)) from None
        self.socket.settimeout(0.2)
        self.condition = threading.Condition()
        self.responses = {}
        self.states = {}
        self.notifies = 0
        self.running = True
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self):
        while self.running:
            try:
                datagram, source = self.socket.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            message = Message(datagram)
            if message.is_response:
                with self.condition:
                    self.responses[message.call_id] = message
                    self.condition.notify_all()
            elif message.method == "NOTIFY":
                self.socket.sendto(reply_200(message), source)
                self._record(message.body)

    def _record(self, body):
        if not body.strip():
            return
        try:
            document = ElementTree.fromstring(body)
        except ElementTree.ParseError:
            return
        with self.condition:
            self.notifies += 1
            for dialog in document.iter(NAMESPACE + "dialog"):
                state = dialog.find(NAMESPACE + "state")
                if state is None or not state.text:
                    continue
                states = self.states.setdefault(dialog.get("call-id", ""), [])
                value = state.text.strip().lower()
                if not states or states[-1] != value:
                    states.append(value)

    def _request(self, extension, call_id, tag, cseq, expires, authorization=None):
        uri = "sip:%s@127.0.0.1" % extension
        lines = [
            "SUBSCRIBE %s SIP/2.0" % uri,
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport" % (self.port, new_branch()),
            "Max-Forwards: 70",
            "From: <sip:%s@127.0.0.1>;tag=%s" % (self.user, tag),
            "To: <%s>" % uri,
            "Call-ID: %s" % call_id,
            "CSeq: %d SUBSCRIBE" % cseq,
            "Contact: <sip:%s@127.0.0.1:%d>" % (self.user, self.port),
            "Event: dialog",
            "Accept: application/dialog-info+xml",
            "Expires: %d" % expires,
        ]
        if authorization:
            lines.append(authorization)
        lines.append("Content-Length: 0")
        with self.condition:
            self.responses.pop(call_id, None)
        self.socket.sendto(("\r\n".join(lines) + "\r\n\r\n").encode(), self.pbx)

    def _response(self, call_id, timeout):
        deadline = time.monotonic() + timeout
        with self.condition:
            while call_id not in self.responses:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WatcherError("no answer to SUBSCRIBE within %.0f s" % timeout)
                self.condition.wait(remaining)
            return self.responses.pop(call_id)

    def subscribe(self, extension, expires=600, timeout=10.0):
        """SUBSCRIBE, answering one digest challenge; raises WatcherError unless 2xx."""
        call_id = "watch-%s-%s@127.0.0.1" % (extension, secrets.token_hex(6))
        tag = new_tag()
        self._request(extension, call_id, tag, 1, expires)
        response = self._response(call_id, timeout)
        if response.status in (401, 407):
            line = authorization(response, "SUBSCRIBE", "sip:%s@127.0.0.1" % extension,
                                 self.user, self.password)
            self._request(extension, call_id, tag, 2, expires, line)
            response = self._response(call_id, timeout)
        if not 200 <= response.status < 300:
            raise WatcherError("SUBSCRIBE to %s's dialog events: %s" % (extension, response.first_line))

    def states_of(self, call_id):
        with self.condition:
            return list(self.states.get(call_id, []))

    def close(self):
        self.running = False
        self.thread.join(2)
        self.socket.close()
