"""The description of a running lab: scripts/lab/lab start writes RUN_DIR/lab.json."""
import json
import os

DEFAULT_RUN_DIR = "/tmp/ringlog-lab"
LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class LabNotRunning(Exception):
    """The run directory has no lab.json, so no lab was started there."""


def run_dir():
    """RINGLOG_LAB_RUN as an absolute path (default /tmp/ringlog-lab)."""
    return os.path.abspath(os.environ.get("RINGLOG_LAB_RUN", DEFAULT_RUN_DIR))


def load(directory=None):
    """Reads lab.json; raises LabNotRunning with advice when it is missing."""
    directory = directory or run_dir()
    path = os.path.join(directory, "lab.json")
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise LabNotRunning("no lab in %s (%s missing): run scripts/lab/lab start, with the same "
                            "RINGLOG_LAB_RUN" % (directory, path)) from None


def hep_port(lab):
    """The UDP port Kamailio mirrors HEP to."""
    return int(lab["hep"].rsplit(":", 1)[1])
