"""Click-to-call the way ringlog will do it, as a SIP user agent of its own: INVITE the user's
extension as `agent` (digest auth), once it answers REFER it to the target, then hang up.

    INVITE ext (407, ACK, INVITE with credentials) -> 180 -> 200 -> ACK
    REFER (Refer-To: target) -> 202;  ext NOTIFYs the progress (sipfrag) -> 200
    BYE after the NOTIFY that reports the target's 200 (unless the phone sent BYE first)
"""
import secrets
import socket
import threading
import time

from .sipmsg import Message, authorization, new_branch, new_tag, reply_200


class AgentError(RuntimeError):
    """The click-to-call dialog did not go as expected."""


class ClickToCall:
    """One click-to-call from 127.0.0.1:PORT through the lab's PBX."""

    def __init__(self, lab, port, extension, target, timeout=20.0):
        self.pbx = (lab["pbx"]["host"], lab["pbx"]["port"])
        self.port = port
        self.user, self.password = lab["agent"]["user"], lab["agent"]["password"]
        self.extension_uri = "sip:%s@127.0.0.1" % extension
        self.target_uri = "sip:%s@127.0.0.1" % target
        self.media_port = lab["port_base"] + 2020  # announced only; the lab carries no RTP
        self.timeout = timeout
        self.call_id = "agent-c2c-%s@127.0.0.1" % secrets.token_hex(6)
        self.tag = new_tag()
        self.cseq = 0
        self.remote_to = None  # To header with the phone's tag
        self.remote_target = None  # the phone's Contact URI
        self.route = []  # Record-Route, reversed (we are the caller)
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.socket.bind(("127.0.0.1", port))
        except OSError as error:
            self.socket.close()
            raise AgentError("cannot bind the click-to-call agent to 127.0.0.1:%d (%s)"
                             % (port, error.strerror)) from None
        self.socket.settimeout(0.2)
        self.condition = threading.Condition()
        self.responses = []
        self.transfer_answered = False
        self.phone_hung_up = False
        self.running = True
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    # ---- transport ----------------------------------------------------------------------------

    def _receive(self):
        while self.running:
            try:
                datagram, source = self.socket.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            message = Message(datagram)
            with self.condition:
                if message.is_response:
                    self.responses.append(message)
                elif message.method in ("NOTIFY", "BYE"):
                    self.socket.sendto(reply_200(message), source)
                    if message.method == "BYE":
                        self.phone_hung_up = True
                    elif message.body.startswith("SIP/2.0 2"):
                        self.transfer_answered = True
                self.condition.notify_all()

    def _send(self, lines, body=""):
        text = "\r\n".join(lines + ["Content-Length: %d" % len(body.encode())]) + "\r\n\r\n" + body
        self.socket.sendto(text.encode(), self.pbx)

    def _final_response(self, cseq, method):
        """Waits for the final response to (cseq, method); provisional ones are skipped."""
        deadline = time.monotonic() + self.timeout
        with self.condition:
            while True:
                for message in self.responses:
                    if message.cseq == (cseq, method) and message.status >= 200:
                        self.responses.remove(message)
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AgentError("no final response to %s within %.0f s" % (method, self.timeout))
                self.condition.wait(remaining)

    def _wait_for(self, condition, what):
        deadline = time.monotonic() + self.timeout
        with self.condition:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AgentError("no %s within %.0f s" % (what, self.timeout))
                self.condition.wait(remaining)

    # ---- requests -----------------------------------------------------------------------------

    def _common(self, method, uri, to, cseq, branch):
        return [
            "%s %s SIP/2.0" % (method, uri),
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport" % (self.port, branch),
            "Max-Forwards: 70",
            "From: <sip:%s@127.0.0.1>;tag=%s" % (self.user, self.tag),
            "To: %s" % to,
            "Call-ID: %s" % self.call_id,
            "CSeq: %d %s" % (cseq, method),
        ]

    def _in_dialog(self, method, extra=(), cseq=None, branch=None):
        if cseq is None:
            self.cseq += 1
            cseq = self.cseq
        lines = self._common(method, self.remote_target, self.remote_to, cseq, branch or new_branch())
        lines += ["Route: %s" % route for route in self.route]
        lines += list(extra)
        self._send(lines)
        return cseq

    def invite(self):
        """INVITEs the extension and waits (bounded) until it answered; sends the ACK."""
        sdp = ("v=0\r\no=ringlog 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
               "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" % self.media_port)
        credentials = []
        for _ in range(2):
            self.cseq += 1
            branch = new_branch()
            lines = self._common("INVITE", self.extension_uri, "<%s>" % self.extension_uri,
                                 self.cseq, branch)
            lines += ["Contact: <sip:%s@127.0.0.1:%d>" % (self.user, self.port),
                      "Content-Type: application/sdp"] + credentials
            self._send(lines, sdp)
            response = self._final_response(self.cseq, "INVITE")
            if response.status not in (401, 407):
                break
            # ACK the challenge (same branch), then try again with credentials
            self._send(self._common("ACK", self.extension_uri, response.header("to", "t"),
                                    self.cseq, branch))
            credentials = [authorization(response, "INVITE", self.extension_uri, self.user,
                                         self.password)]
        if response.status != 200:
            raise AgentError("INVITE %s: %s" % (self.extension_uri, response.first_line))
        self.remote_to = response.header("to", "t")
        self.remote_target = response.header("contact", "m").split("<", 1)[-1].split(">", 1)[0]
        routes = []
        for value in response.all("record-route"):
            routes += ["<" + part.strip().lstrip("<") for part in value.split(",<")]
        self.route = list(reversed(routes))
        self._in_dialog("ACK", cseq=self.cseq)

    def refer(self):
        """REFERs the phone to the target and waits for the 202."""
        cseq = self._in_dialog("REFER", [
            "Contact: <sip:%s@127.0.0.1:%d>" % (self.user, self.port),
            "Refer-To: <%s>" % self.target_uri,
            "Referred-By: <sip:%s@127.0.0.1>" % self.user,
        ])
        response = self._final_response(cseq, "REFER")
        if response.status != 202 and response.status != 200:
            raise AgentError("REFER: %s" % response.first_line)

    def finish(self):
        """Waits until the target answered (NOTIFY 200 sipfrag), then ends the agent's leg."""
        self._wait_for(lambda: self.transfer_answered or self.phone_hung_up,
                       "NOTIFY reporting the target's answer")
        if not self.phone_hung_up:
            cseq = self._in_dialog("BYE")
            response = self._final_response(cseq, "BYE")
            if response.status not in (200, 481):
                raise AgentError("BYE: %s" % response.first_line)

    def close(self):
        self.running = False
        self.thread.join(2)
        self.socket.close()
