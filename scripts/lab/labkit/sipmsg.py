"""Small helpers for the lab's own SIP user agents: parsing messages, building 200 replies to
requests, and digest authentication (RFC 2617 MD5, qop=auth) answers."""
import hashlib
import secrets


class Message:
    """A parsed SIP message: first line, headers (lower-case names, in order) and body."""

    def __init__(self, datagram):
        text = datagram.decode("utf-8", "replace")
        head, _, self.body = text.partition("\r\n\r\n")
        lines = head.split("\r\n")
        self.first_line = lines[0]
        self.headers = []
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if colon:
                self.headers.append((name.strip().lower(), value.strip()))
        self.is_response = self.first_line.startswith("SIP/2.0 ")
        parts = self.first_line.split(" ", 2)
        self.status = int(parts[1]) if self.is_response and parts[1].isdigit() else 0
        self.method = "" if self.is_response else parts[0]

    def header(self, name, compact=None):
        return next((value for key, value in self.headers if key in (name, compact)), "")

    def all(self, name, compact=None):
        return [value for key, value in self.headers if key in (name, compact)]

    @property
    def call_id(self):
        return self.header("call-id", "i")

    @property
    def cseq(self):
        number, _, method = self.header("cseq").partition(" ")
        return int(number) if number.isdigit() else 0, method.strip()


def reply_200(request):
    """The bytes of a 200 OK to `request` (Via, From, To, Call-ID and CSeq copied)."""
    lines = ["SIP/2.0 200 OK"]
    lines += ["Via: " + value for value in request.all("via", "v")]
    lines.append("From: " + request.header("from", "f"))
    lines.append("To: " + request.header("to", "t"))
    lines.append("Call-ID: " + request.call_id)
    lines.append("CSeq: " + request.header("cseq"))
    lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def new_tag():
    return secrets.token_hex(6)


def new_branch():
    return "z9hG4bK-" + secrets.token_hex(8)


def _md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def authorization(challenge_response, method, uri, user, password):
    """The (Proxy-)Authorization header line answering a 401 or 407 response."""
    proxy = challenge_response.status == 407
    challenge = challenge_response.header("proxy-authenticate" if proxy else "www-authenticate")
    parameters = {}
    for part in challenge.split(" ", 1)[-1].split(","):
        key, equals, value = part.strip().partition("=")
        if equals:
            parameters[key.lower()] = value.strip('"')
    realm, nonce = parameters.get("realm", ""), parameters.get("nonce", "")
    ha1 = _md5("%s:%s:%s" % (user, realm, password))
    ha2 = _md5("%s:%s" % (method, uri))
    if "auth" in [q.strip() for q in parameters.get("qop", "").split(",")]:
        cnonce = secrets.token_hex(8)
        response = _md5("%s:%s:00000001:%s:auth:%s" % (ha1, nonce, cnonce, ha2))
        extra = ', qop=auth, nc=00000001, cnonce="%s"' % cnonce
    else:
        response = _md5("%s:%s:%s" % (ha1, nonce, ha2))
        extra = ""
    if "opaque" in parameters:
        extra += ', opaque="%s"' % parameters["opaque"]
    return ('%s: Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", '
            'algorithm=MD5%s' % ("Proxy-Authorization" if proxy else "Authorization", user, realm,
                                 nonce, uri, response, extra))
