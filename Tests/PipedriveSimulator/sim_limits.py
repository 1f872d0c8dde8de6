"""Token-based rate limiting and fault injection for the Pipedrive simulator.

Pipedrive charges every request its `x-token-cost` against a daily company
budget and limits bursts per token in a rolling 2-second window.
"""

import collections
import math
import random

BURST_WINDOW = 2.0

# Burst limits per 2 s by plan (api token, OAuth app); search endpoints 10 on all plans.
PLAN_BURST = {"lite": (20, 80), "growth": (40, 160), "premium": (100, 400), "ultimate": (120, 480)}
PLAN_MULTIPLIER = {"lite": 1, "growth": 2, "premium": 5, "ultimate": 7}
SEARCH_BURST = 10


class BurstLimiter:
    """Rolling-window request counter per key."""

    def __init__(self):
        self.windows = collections.defaultdict(collections.deque)

    def _trim(self, key, now):
        window = self.windows[key]
        while window and window[0] <= now - BURST_WINDOW:
            window.popleft()
        return window

    def check(self, key, limit, now):
        """Returns (allowed, remaining_after, reset_seconds); counts the request when allowed."""
        window = self._trim(key, now)
        if len(window) >= limit:
            reset = window[0] + BURST_WINDOW - now
            return False, 0, max(1, int(math.ceil(reset)))
        window.append(now)
        reset = window[0] + BURST_WINDOW - now
        return True, limit - len(window), max(1, int(math.ceil(reset)))

    def clear(self):
        self.windows.clear()


class DailyBudget:
    """The company's daily token budget; resets when the configured UTC time passes."""

    def __init__(self, limit, reset_offset_seconds=0):
        self.limit = limit
        self.used = 0
        self.reset_offset = reset_offset_seconds
        self.period = None
        self.requests_today = collections.Counter()

    def _period(self, now):
        return int((now - self.reset_offset) // 86400)

    def roll(self, now):
        period = self._period(now)
        if self.period is None:
            self.period = period
        elif period != self.period:
            self.period = period
            self.used = 0
            self.requests_today.clear()

    def seconds_until_reset(self, now):
        next_reset = (self._period(now) + 1) * 86400 + self.reset_offset
        return max(1, int(math.ceil(next_reset - now)))

    def remaining(self):
        return max(0, self.limit - self.used)

    def reset(self):
        self.used = 0
        self.requests_today.clear()


FAULT_DEFAULTS = {
    "error_rate": 0.0,
    "error_statuses": [500, 502, 503],
    "burst_429": 0,
    "retry_after": 2,
    "daily_budget": None,
    "daily_used": None,
    "slow_rate": 0.0,
    "slow_ms": 1500,
    "drop_rate": 0.0,
    "invalid_grant": False,
    "random_seed": None,
    "fault_phase": "before",
    "authorize_deny": False,
}


class FaultConfigError(Exception):
    """A /_sim/faults body the simulator cannot use."""


def _rate(config, key):
    value = config[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise FaultConfigError("%s must be a number from 0.0 to 1.0" % key)


def _nonneg_int(config, key, allow_none=False):
    value = config[key]
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FaultConfigError("%s must be a non-negative integer" % key)


def parse_fault_config(body):
    """Validates a POST /_sim/faults body and fills in defaults for absent keys."""
    if not isinstance(body, dict):
        raise FaultConfigError("the body must be a JSON object")
    unknown = sorted(set(body) - set(FAULT_DEFAULTS))
    if unknown:
        raise FaultConfigError("unknown fault keys: %s (known: %s)" % (", ".join(unknown), ", ".join(sorted(FAULT_DEFAULTS))))
    config = dict(FAULT_DEFAULTS)
    config.update(body)
    for key in ("error_rate", "slow_rate", "drop_rate"):
        _rate(config, key)
    for key in ("burst_429", "slow_ms"):
        _nonneg_int(config, key)
    for key in ("daily_budget", "daily_used", "random_seed"):
        _nonneg_int(config, key, allow_none=True)
    if isinstance(config["retry_after"], bool) or not isinstance(config["retry_after"], int) or config["retry_after"] < 0:
        raise FaultConfigError("retry_after must be a non-negative integer (seconds)")
    statuses = config["error_statuses"]
    if (not isinstance(statuses, list) or not statuses
            or not all(isinstance(s, int) and not isinstance(s, bool) and 500 <= s <= 599 for s in statuses)):
        raise FaultConfigError("error_statuses must be a non-empty list of 5xx status codes")
    for key in ("invalid_grant", "authorize_deny"):
        if not isinstance(config[key], bool):
            raise FaultConfigError("%s must be true or false" % key)
    if config["fault_phase"] not in ("before", "after"):
        raise FaultConfigError("fault_phase must be \"before\" or \"after\"")
    return config


class FaultInjector:
    """Decides, per API request, which fault (if any) to inject."""

    def __init__(self):
        self.config = dict(FAULT_DEFAULTS)
        self.random = random.Random()
        self.burst_left = 0

    def configure(self, config):
        self.config = config
        self.random = random.Random(config["random_seed"])
        self.burst_left = config["burst_429"]

    def take_burst(self):
        if self.burst_left > 0:
            self.burst_left -= 1
            return True
        return False

    def roll(self, key):
        rate = self.config[key]
        return rate > 0 and self.random.random() < rate

    def error_status(self):
        return self.random.choice(self.config["error_statuses"])

    def snapshot(self):
        out = dict(self.config)
        out["burst_429_left"] = self.burst_left
        return out
