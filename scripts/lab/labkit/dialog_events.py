"""A minimal RFC 4235 watcher: SUBSCRIBEs to `Event: dialog` of extensions as the `agent` user
(digest auth), answers every NOTIFY with 200 and keeps the dialog states it reported.

The selftest uses it to prove that the dialog-event source ringlog will subscribe to works.
"""
import hashlib
import secrets
import socket
import threading
import time
import xml.etree.ElementTree as ElementTree

NAMESPACE = "{urn:ietf:params:xml:ns:dialog-info}"


class WatcherError(RuntimeError):
    """A subscription was not accepted."""


def _parse(datagram):
    text = datagram.decode("utf-8", "replace")
    head, _, body = text.partition("\r\n\r\n")
    lines = head.split("\r\n")
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers.append((name.strip().lower(), value.strip()))
    return lines[0], headers, body


def _header(headers, name, compact=None):
    return next((value for key, value in headers if key in (name, compact)), "")


def _digest_parameters(challenge):
    parameters = {}
    for part in challenge.split(" ", 1)[-1].split(","):
        key, equals, value = part.strip().partition("=")
        if equals:
            parameters[key.lower()] = value.strip('"')
    return parameters


def _md5(text):
    return hashlib.md5(text.encode()).hexdigest()


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
            first_line, headers, body = _parse(datagram)
            if first_line.startswith("SIP/2.0 "):
                with self.condition:
                    self.responses[_header(headers, "call-id", "i")] = (first_line, headers)
                    self.condition.notify_all()
            elif first_line.startswith("NOTIFY "):
                self._answer(headers, source)
                self._record(body)

    def _answer(self, headers, source):
        lines = ["SIP/2.0 200 OK"]
        lines += ["Via: " + value for key, value in headers if key in ("via", "v")]
        for name, compact in (("from", "f"), ("to", "t"), ("call-id", "i"), ("cseq", None)):
            lines.append("%s: %s" % (name.title() if name != "call-id" else "Call-ID",
                                     _header(headers, name, compact)))
        lines.append("Content-Length: 0")
        self.socket.sendto(("\r\n".join(lines) + "\r\n\r\n").encode(), source)

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
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s;rport" % (self.port, secrets.token_hex(8)),
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
        tag = secrets.token_hex(6)
        self._request(extension, call_id, tag, 1, expires)
        first_line, headers = self._response(call_id, timeout)
        if first_line.split(" ")[1] in ("401", "407"):
            challenge = _digest_parameters(_header(headers, "proxy-authenticate")
                                           or _header(headers, "www-authenticate"))
            uri = "sip:%s@127.0.0.1" % extension
            cnonce = secrets.token_hex(8)
            ha1 = _md5("%s:%s:%s" % (self.user, challenge.get("realm", ""), self.password))
            ha2 = _md5("SUBSCRIBE:%s" % uri)
            if "auth" in challenge.get("qop", "").split(","):
                response = _md5("%s:%s:00000001:%s:auth:%s" % (ha1, challenge["nonce"], cnonce, ha2))
                extra = ', qop=auth, nc=00000001, cnonce="%s"' % cnonce
            else:
                response = _md5("%s:%s:%s" % (ha1, challenge["nonce"], ha2))
                extra = ""
            if "opaque" in challenge:
                extra += ', opaque="%s"' % challenge["opaque"]
            name = "Proxy-Authorization" if first_line.split(" ")[1] == "407" else "Authorization"
            authorization = ('%s: Digest username="%s", realm="%s", nonce="%s", uri="%s", '
                             'response="%s", algorithm=MD5%s'
                             % (name, self.user, challenge.get("realm", ""), challenge["nonce"],
                                uri, response, extra))
            self._request(extension, call_id, tag, 2, expires, authorization)
            first_line, headers = self._response(call_id, timeout)
        if not first_line.split(" ")[1].startswith("2"):
            raise WatcherError("SUBSCRIBE to %s's dialog events: %s" % (extension, first_line))

    def states_of(self, call_id):
        with self.condition:
            return list(self.states.get(call_id, []))

    def close(self):
        self.running = False
        self.thread.join(2)
        self.socket.close()
