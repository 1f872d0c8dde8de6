"""A lab started for one program run (selftest, record) and always stopped afterwards."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile

from . import labinfo, scenarios

LAB_SCRIPT = os.path.join(labinfo.LAB_DIR, "lab")


class SessionError(RuntimeError):
    """The lab could not be started."""


class Deadline(Exception):
    """The whole run took longer than its bound."""


class LabSession:
    """Starts scripts/lab/lab in a run directory (RINGLOG_LAB_RUN, or a fresh temporary one),
    connects to the phones, and stops everything on exit. The temporary directory is removed
    after a successful run and kept (for its logs) after a failure."""

    def __init__(self, prefix, overall_limit):
        self.own_directory = "RINGLOG_LAB_RUN" not in os.environ
        self.run_dir = (tempfile.mkdtemp(prefix=prefix, dir="/tmp") if self.own_directory
                        else labinfo.run_dir())
        self.environment = dict(os.environ, RINGLOG_LAB_RUN=self.run_dir)
        self.overall_limit = overall_limit
        self.phones = None
        self.lab = None
        self.succeeded = False

    def __enter__(self):
        signal.signal(signal.SIGALRM, self._deadline)
        signal.signal(signal.SIGTERM, self._terminated)
        signal.alarm(self.overall_limit)
        result = subprocess.run([LAB_SCRIPT, "start"], env=self.environment, timeout=180)
        if result.returncode != 0:
            self._stop()
            raise SessionError("scripts/lab/lab start failed (logs in %s)" % self.run_dir)
        self.lab = labinfo.load(self.run_dir)
        self.phones = scenarios.open_phones(self.lab)
        return self

    def __exit__(self, kind, value, traceback):
        signal.alarm(0)
        if self.phones is not None:
            scenarios.close_phones(self.phones)
        self._stop()
        if self.own_directory and self.succeeded and kind is None:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        elif self.own_directory:
            print("logs kept in %s" % self.run_dir, file=sys.stderr)
        return False

    def _stop(self):
        subprocess.run([LAB_SCRIPT, "stop"], env=self.environment, timeout=120)

    def _deadline(self, signum, frame):
        raise Deadline("gave up after %d s" % self.overall_limit)

    def _terminated(self, signum, frame):
        raise Deadline("terminated")
