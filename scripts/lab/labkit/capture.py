"""A dumpcap process writing the HEP-in-UDP traffic on lo to a classic pcap file, and a reader
that counts what such a file holds."""
import os
import struct
import subprocess
import time


class CaptureError(RuntimeError):
    """dumpcap could not start or did not stop."""


class LoopbackCapture:
    """dumpcap -i lo -f "udp port PORT" -P -w FILE, stopped by its PID."""

    def __init__(self, port, path, timeout=20.0):
        self.path = path
        self.log_path = path + ".dumpcap.log"
        if os.path.exists(path):
            os.remove(path)
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                ["dumpcap", "-i", "lo", "-f", "udp port %d" % port, "-P", "-q", "-w", path],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        # dumpcap says "Capturing on 'Loopback: lo'" once the filter is installed
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log_path) as log:
                if "Capturing on" in log.read():
                    time.sleep(0.2)
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        with open(self.log_path) as log:
            raise CaptureError("dumpcap did not start capturing: %s" % log.read().strip())

    def stop(self):
        """Ends dumpcap (SIGTERM, it then closes the file) and waits, bounded."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
                raise CaptureError("dumpcap ignored SIGTERM; %s may be incomplete" % self.path)
        if os.path.exists(self.log_path):
            os.remove(self.log_path)


def udp_payloads(path):
    """The UDP payloads of a classic pcap file of IPv4 packets (Ethernet or Linux cooked)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: not a pcap file" % path)
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        order = ">"
    else:
        raise ValueError("%s: not a classic pcap file" % path)
    link_type = struct.unpack(order + "I", data[20:24])[0]
    link_header = {1: 14, 113: 16}.get(link_type)
    if link_header is None:
        raise ValueError("%s: link type %d is not Ethernet or Linux cooked" % (path, link_type))
    payloads, offset = [], 24
    while offset + 16 <= len(data):
        captured = struct.unpack(order + "I", data[offset + 8:offset + 12])[0]
        frame = data[offset + 16:offset + 16 + captured]
        offset += 16 + captured
        ip = frame[link_header:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        udp = ip[(ip[0] & 0x0F) * 4:]
        payloads.append(udp[8:struct.unpack("!H", udp[4:6])[0]])
    return payloads
