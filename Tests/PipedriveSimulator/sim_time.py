"""Time handling for the Pipedrive simulator: a shiftable clock and the
three timestamp formats Pipedrive uses."""

import calendar
import re
import threading
import time

from schema_validator import PIPEDRIVE_DATETIME_RE, RFC3339_RE


class Clock:
    """Wall-clock time plus an offset that tests can advance, and can freeze
    (POST /_sim/clock) so that time-window behaviour does not depend on speed."""

    def __init__(self):
        self._offset = 0.0
        self._frozen_at = None
        self._lock = threading.Lock()

    def now(self):
        with self._lock:
            base = self._frozen_at if self._frozen_at is not None else time.time()
            return base + self._offset

    def freeze(self, frozen):
        with self._lock:
            if frozen and self._frozen_at is None:
                self._frozen_at = time.time()
            elif not frozen and self._frozen_at is not None:
                self._offset += self._frozen_at - time.time()
                self._frozen_at = None

    def frozen(self):
        with self._lock:
            return self._frozen_at is not None

    def advance(self, seconds):
        with self._lock:
            self._offset += float(seconds)

    def offset(self):
        with self._lock:
            return self._offset


def v2_time(ts):
    """RFC 3339 UTC with whole seconds, as API v2 writes it: 2021-01-01T00:00:00Z."""
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def v1_time(ts):
    """API v1 timestamp: 'YYYY-MM-DD HH:MM:SS' in UTC."""
    if ts is None:
        return None
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))


def call_log_time(ts):
    """Call-log response timestamp as in the spec example: 2022-12-12T01:01:01.000Z."""
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(ts))


def record_time(ts):
    """Millisecond RFC 3339 for the request log."""
    whole = int(ts)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + ".%03dZ" % int((ts - whole) * 1000)


def parse_time(text):
    """Parses RFC 3339 or 'YYYY-MM-DD HH:MM:SS' (UTC) into epoch seconds; None if invalid."""
    if not isinstance(text, str):
        return None
    m = RFC3339_RE.match(text)
    if m:
        base = calendar.timegm((int(m.group(1)), int(m.group(2)), int(m.group(3)),
                                int(m.group(4)), int(m.group(5)), int(m.group(6)), 0, 0, 0))
        frac = float(m.group(7)) if m.group(7) else 0.0
        zone = m.group(8)
        if zone not in ("Z", "z"):
            sign = 1 if zone[0] == "+" else -1
            base -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
        return base + frac
    m = PIPEDRIVE_DATETIME_RE.match(text)
    if m:
        base = calendar.timegm((int(m.group(1)), int(m.group(2)), int(m.group(3)),
                                int(m.group(4)), int(m.group(5)), int(m.group(6)), 0, 0, 0))
        return base + (float(m.group(7)) if m.group(7) else 0.0)
    return None


TIME_OF_DAY_RE = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2}))?$")


def normalise_time_of_day(text):
    """'HH:MM' or 'HH:MM:SS' -> 'HH:MM:SS'; None when invalid."""
    m = TIME_OF_DAY_RE.match(text or "")
    if not m:
        return None
    hours, minutes, seconds = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if minutes > 59 or seconds > 59:
        return None
    return "%02d:%02d:%02d" % (hours, minutes, seconds)
