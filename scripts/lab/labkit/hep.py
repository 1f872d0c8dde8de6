"""HEP v3 (EEP) decoding, a UDP receiver that keeps the raw datagrams, and .hep files.

A HEP v3 datagram starts with "HEP3" and its total length (big-endian, bytes 4-5), then chunks
of (vendor u16, type u16, length u16 including these 6 bytes, value). A .hep file is datagrams
back to back; each one's length field says where the next begins.
"""
import socket
import struct
import threading
import time

# generic chunk types (vendor 0) that Kamailio's siptrace sends
CHUNK_SRC_IP4, CHUNK_DST_IP4, CHUNK_SRC_IP6, CHUNK_DST_IP6 = 3, 4, 5, 6
CHUNK_SRC_PORT, CHUNK_DST_PORT, CHUNK_SECONDS, CHUNK_MICROSECONDS = 7, 8, 9, 10
CHUNK_PAYLOAD = 15


class HepError(ValueError):
    """Bytes that are not a well-formed HEP v3 datagram."""


class SipCopy:
    """One SIP message as mirrored by Kamailio: addresses, capture time, the message text."""

    def __init__(self, raw, chunks):
        self.raw = raw
        self.src = (_address(chunks, CHUNK_SRC_IP4, CHUNK_SRC_IP6), _number(chunks.get(CHUNK_SRC_PORT)))
        self.dst = (_address(chunks, CHUNK_DST_IP4, CHUNK_DST_IP6), _number(chunks.get(CHUNK_DST_PORT)))
        self.time = _number(chunks.get(CHUNK_SECONDS)) + _number(chunks.get(CHUNK_MICROSECONDS)) / 1e6
        self.text = chunks.get(CHUNK_PAYLOAD, b"").decode("utf-8", "replace")
        head = self.text.split("\r\n\r\n", 1)[0].split("\r\n")
        self.first_line = head[0]
        self.headers = []
        for line in head[1:]:
            name, colon, value = line.partition(":")
            if colon:
                self.headers.append((name.strip().lower(), value.strip()))
        self.is_request = not self.first_line.startswith("SIP/2.0 ")
        self.call_id = self.header("call-id", "i")
        cseq = self.header("cseq").split()
        self.cseq_method = cseq[-1] if cseq else ""
        if self.is_request:
            self.method, self.status = self.first_line.split(" ", 1)[0], None
        else:
            parts = self.first_line.split(" ", 2)
            self.method = self.cseq_method
            self.status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0

    def header(self, name, compact=None):
        """The first value of a header, by full or compact name, or ""."""
        for key, value in self.headers:
            if key == name or key == compact:
                return value
        return ""

    def token(self):
        """"INVITE" for a request, "180 INVITE" for a response (status and CSeq method)."""
        return self.method if self.is_request else "%d %s" % (self.status, self.cseq_method)

    def summary(self):
        """One line for logs: time, addresses, first line, Call-ID."""
        return "%.3f %s:%d -> %s:%d %s [%s]" % (self.time, self.src[0], self.src[1], self.dst[0],
                                               self.dst[1], self.first_line, self.call_id)


def _number(value):
    return int.from_bytes(value, "big") if value else 0


def _address(chunks, v4, v6):
    if v4 in chunks:
        return socket.inet_ntop(socket.AF_INET, chunks[v4])
    if v6 in chunks:
        return socket.inet_ntop(socket.AF_INET6, chunks[v6])
    return ""


def decode(datagram):
    """Decodes one HEP v3 datagram into a SipCopy; raises HepError."""
    if len(datagram) < 6 or datagram[:4] != b"HEP3":
        raise HepError("does not start with HEP3")
    total = struct.unpack("!H", datagram[4:6])[0]
    if total < 6 or total > len(datagram):
        raise HepError("length field %d, datagram has %d bytes" % (total, len(datagram)))
    chunks, offset = {}, 6
    while offset + 6 <= total:
        vendor, kind, length = struct.unpack("!HHH", datagram[offset:offset + 6])
        if length < 6 or offset + length > total:
            raise HepError("chunk at byte %d has length %d" % (offset, length))
        if vendor == 0:
            chunks[kind] = datagram[offset + 6:offset + length]
        offset += length
    return SipCopy(datagram[:total], chunks)


def read_file(path):
    """Every SipCopy of a .hep file, in file order."""
    with open(path, "rb") as f:
        data = f.read()
    copies, offset = [], 0
    while offset < len(data):
        if offset + 6 > len(data):
            raise HepError("%s: %d stray bytes at the end" % (path, len(data) - offset))
        total = struct.unpack("!H", data[offset + 4:offset + 6])[0]
        copies.append(decode(data[offset:offset + total]))
        offset += total
    return copies


class Receiver:
    """Listens for HEP on 127.0.0.1:PORT in a thread and keeps every decoded datagram."""

    def __init__(self, port):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.socket.bind(("127.0.0.1", port))
        except OSError as error:
            self.socket.close()
            raise OSError("cannot listen for HEP on 127.0.0.1:%d (%s); is ringlog or another "
                          "receiver using it?" % (port, error.strerror)) from None
        self.socket.settimeout(0.2)
        self.copies = []
        self.rejected = 0
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self):
        while self.running:
            try:
                datagram = self.socket.recv(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                copy = decode(datagram)
            except HepError:
                with self.lock:
                    self.rejected += 1
                continue
            with self.lock:
                self.copies.append(copy)

    def take(self):
        """Returns the copies received since the last take and forgets them."""
        with self.lock:
            copies, self.copies = self.copies, []
        return copies

    def settle(self, quiet=0.6, limit=5.0):
        """Waits until nothing arrived for `quiet` seconds (at most `limit` seconds)."""
        deadline = time.monotonic() + limit
        last_count, last_change = -1, time.monotonic()
        while time.monotonic() < deadline:
            with self.lock:
                count = len(self.copies)
            if count != last_count:
                last_count, last_change = count, time.monotonic()
            elif time.monotonic() - last_change >= quiet:
                return
            time.sleep(0.1)

    def close(self):
        self.running = False
        self.thread.join(2)
        self.socket.close()
