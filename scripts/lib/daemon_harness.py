"""What scripts/flood-daemon and scripts/soak-daemon share: HEP datagrams, the Pipedrive simulator, a tenant
configuration, `ringlog run`, and /proc figures of a process."""
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PBX = ("127.0.0.1", 25060)
CALLER = ("127.0.0.1", 25091)


def chunk(kind, payload):
    return struct.pack(">HHH", 0, kind, len(payload) + 6) + payload


def hep(sip, source, destination, moment):
    """One HEP v3 datagram carrying `sip` over UDP/IPv4, captured at `moment` (Unix seconds), as
    Tests/RinglogDaemonTests/SyntheticCalls.swift builds them."""
    body = chunk(1, b"\x02") + chunk(2, b"\x11")
    body += chunk(3, socket.inet_aton(source[0])) + chunk(4, socket.inet_aton(destination[0]))
    body += chunk(7, struct.pack(">H", source[1])) + chunk(8, struct.pack(">H", destination[1]))
    body += chunk(9, struct.pack(">I", int(moment))) + chunk(10, struct.pack(">I", int((moment % 1) * 1e6)))
    body += chunk(11, b"\x01") + chunk(12, struct.pack(">I", 2001)) + chunk(15, sip)
    return b"HEP3" + struct.pack(">H", len(body) + 6) + body


def answered_call(call_id, number, extension, ended):
    """An answered call from `number` to `extension` that ended at `ended` after 3 s of talk: INVITE, 200,
    ACK, BYE, 200 as five HEP datagrams."""

    def headers(via, to_tag, cseq):
        return (
            "Via: SIP/2.0/UDP 127.0.0.1:25091;branch=z9hG4bK-%s-%s\r\n" % (call_id, via)
            + "From: <sip:%s@127.0.0.1>;tag=f1\r\n" % number
            + "To: <sip:%s@127.0.0.1>%s\r\n" % (extension, ";tag=" + to_tag if to_tag else "")
            + "Call-ID: %s\r\nCSeq: %s\r\nMax-Forwards: 70\r\n" % (call_id, cseq)
        )

    messages = [
        (CALLER, PBX, -4.0, "INVITE sip:%s@127.0.0.1:25060 SIP/2.0\r\n" % extension + headers("i", None, "1 INVITE")
         + "Contact: <sip:%s@127.0.0.1:25091>\r\nContent-Length: 0\r\n\r\n" % number),
        (PBX, CALLER, -3.0, "SIP/2.0 200 OK\r\n" + headers("i", "t1", "1 INVITE")
         + "Contact: <sip:%s@127.0.0.1:25110>\r\nContent-Length: 0\r\n\r\n" % extension),
        (CALLER, PBX, -2.99, "ACK sip:%s@127.0.0.1:25110 SIP/2.0\r\n" % extension + headers("a", "t1", "1 ACK")
         + "Content-Length: 0\r\n\r\n"),
        (CALLER, PBX, 0.0, "BYE sip:%s@127.0.0.1:25110 SIP/2.0\r\n" % extension + headers("b", "t1", "2 BYE")
         + "Content-Length: 0\r\n\r\n"),
        (PBX, CALLER, 0.01, "SIP/2.0 200 OK\r\n" + headers("b", "t1", "2 BYE") + "Content-Length: 0\r\n\r\n"),
    ]
    return [hep(text.encode(), source, destination, ended + offset) for source, destination, offset, text in messages]


def proc_figures(pid):
    """VmRSS and VmHWM (KiB) and the number of open files of process `pid`."""
    figures = {}
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                figures[key] = int(value.split()[0])
    figures["fds"] = len(os.listdir("/proc/%d/fd" % pid))
    return figures


def udp_drops(port):
    """Datagrams the kernel dropped at the UDP socket bound to 127.0.0.1:`port` (its receive buffer was full
    because the reader was behind), from /proc/net/udp."""
    wanted = "0100007F:%04X" % port
    with open("/proc/net/udp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if fields[1] == wanted:
                return int(fields[-1])
    return None


def free_udp_port():
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


class Simulator:
    """Tests/PipedriveSimulator/pdsim.py on a free loopback port."""

    def __init__(self, work):
        port_file = os.path.join(work, "pdsim.port")
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "Tests/PipedriveSimulator/pdsim.py"), "--port", "0",
             "--port-file", port_file], stderr=subprocess.DEVNULL)
        for _ in range(300):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        self.base = "http://127.0.0.1:%s" % open(port_file).read().strip()

    def control(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data, {"Content-Type": "application/json"},
                                         method=method)
        return json.load(urllib.request.urlopen(request, timeout=120))


def write_configuration(work, simulator, hep_port, state_dir, extra):
    with open(os.path.join(work, "token"), "w") as token:
        token.write("test-api-token\n")
    os.chmod(os.path.join(work, "token"), 0o600)
    configuration = {
        "tenant": "harness", "region": "FI", "state_dir": state_dir, "log_level": "notice",
        "pipedrive": {"base_url": simulator.base, "api_token_file": os.path.join(work, "token")},
        "hep": {"listen": "127.0.0.1:%d" % hep_port},
        "site": {"extension_pattern": "1\\d{3}", "pbx_addresses": ["127.0.0.1:25060"],
                 "trunk_addresses": ["127.0.0.1:25091"]},
        "users": {"1001": "aino.admin@ringlog-test.example", "1002": "bertil.berg@ringlog-test.example",
                  "1003": "carita@ringlog-test.example"},
        "policy": {"unmapped_extension": "skip", "unknown_caller": "log_without_person"},
    }
    configuration.update(extra)
    path = os.path.join(work, "tenant.json")
    with open(path, "w") as file:
        json.dump(configuration, file)
    os.chmod(path, 0o600)
    return path


def start_daemon(ringlog, configuration, log_path):
    log = open(log_path, "w")
    daemon = subprocess.Popen([ringlog, "run", "--config", configuration], stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(200):
        if "listening for HEP" in open(log_path).read() or daemon.poll() is not None:
            break
        time.sleep(0.05)
    return daemon


def ringlog_command(ringlog, *arguments):
    return subprocess.run([ringlog, *arguments], capture_output=True, text=True)


def stop(*processes):
    """Ends each process (a Popen or a Simulator) with SIGTERM, then SIGKILL after 30 s."""
    for process in processes:
        process = getattr(process, "process", process)
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
