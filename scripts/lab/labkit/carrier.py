"""The carrier: one sipp process per call, playing an XML flow from scripts/lab/sipp/.

The carrier's ports are in lab.json: "uac_port" places calls into the PBX, "uas_port" is where
the PBX sends calls to outside numbers. Both lie in the range the PBX trusts without auth.
"""
import os
import subprocess

from .labinfo import LAB_DIR

SIPP_DIR = os.path.join(LAB_DIR, "sipp")


class CarrierError(RuntimeError):
    """sipp failed or did not finish in time."""


class CarrierCall:
    """A running sipp process; finish() waits for it and checks its exit status."""

    def __init__(self, lab, name, flow, role, args, limit):
        carrier = lab["carrier"]
        index = 0 if role == "uas" else 1
        port = carrier["uas_port"] if role == "uas" else carrier["uac_port"]
        self.log_dir = os.path.join(lab["run_dir"], "sipp")
        os.makedirs(self.log_dir, exist_ok=True)
        self.name = name
        self.limit = limit
        command = [
            "sipp", "-sf", os.path.join(SIPP_DIR, flow), "-m", "1",
            "-i", "127.0.0.1", "-p", str(port),
            "-mp", str(carrier["media_ports"][index]), "-cp", str(carrier["control_ports"][index]),
            "-cid_str", "lab-%s-%%u-%%p@%%s" % name,
            "-timeout", "%ds" % int(limit), "-timeout_error",
            "-recv_timeout", str(int(limit * 1000)),
            "-trace_err", "-error_file", os.path.join(self.log_dir, name + "-errors.log"),
        ] + list(args)
        if role == "uac":
            command.append("%s:%d" % (lab["pbx"]["host"], lab["pbx"]["port"]))
        self.log_path = os.path.join(self.log_dir, name + ".log")
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, cwd=self.log_dir)

    def running(self):
        return self.process.poll() is None

    def finish(self):
        """Waits (bounded) for sipp to end; raises CarrierError unless it succeeded."""
        try:
            status = self.process.wait(self.limit + 10)
        except subprocess.TimeoutExpired:
            self.stop()
            raise CarrierError("sipp (%s) did not finish within %.0f s; see %s"
                               % (self.name, self.limit + 10, self.log_path)) from None
        if status != 0:
            raise CarrierError("sipp (%s) failed with status %d; see %s and %s-errors.log"
                               % (self.name, status, self.log_path,
                                  os.path.join(self.log_dir, self.name)))

    def stop(self):
        """Ends sipp (by its own PID) if it still runs."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def call_in(lab, name, flow, extension, caller, milliseconds, limit):
    """The carrier calls `extension` from `caller`; `milliseconds` is the flow's pause (-d)."""
    return CarrierCall(lab, name, flow, "uac",
                       ["-s", extension, "-key", "caller", caller, "-d", str(milliseconds)], limit)


def answer_out(lab, name, ring_milliseconds, limit):
    """The carrier waits for one call from the PBX, rings, answers and waits for the BYE."""
    return CarrierCall(lab, name, "answer_out.xml", "uas", ["-d", str(ring_milliseconds)], limit)


def reject_out(lab, name, ring_milliseconds, code, reason, limit):
    """The carrier waits for one call from the PBX, rings, then rejects it with code and reason."""
    with open(os.path.join(SIPP_DIR, "reject_out.xml")) as f:
        flow = f.read().replace("SIP/2.0 STATUS", "SIP/2.0 %d %s" % (code, reason))
    directory = os.path.join(lab["run_dir"], "sipp")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "reject_out_%d.xml" % code)
    with open(path, "w") as f:
        f.write(flow)
    return CarrierCall(lab, name, path, "uas", ["-d", str(ring_milliseconds)], limit)
