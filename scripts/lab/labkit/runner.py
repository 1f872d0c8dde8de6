"""Runs scenarios one after another, optionally checking each against captured HEP."""
import sys
import time

from . import flow, scenarios


class Result:
    def __init__(self, name, expectations, problems, notes, seconds, copies):
        self.name = name
        self.expectations = expectations
        self.problems = problems
        self.notes = notes
        self.seconds = seconds
        self.copies = copies

    @property
    def passed(self):
        return not self.problems


def run_one(ctx, name, receiver=None, before=None, after=None):
    """Runs one scenario. With a HEP receiver, the copies of this scenario are checked.

    before/after are called around the calls (the recorder starts and stops its capture there).
    """
    if receiver is not None:
        receiver.settle(quiet=0.5, limit=5)
        receiver.take()  # whatever belongs to earlier activity
    if before is not None:
        before()
    started = time.monotonic()
    expectations, problems, notes, copies = [], [], [], []
    try:
        expectations = scenarios.run(ctx, name)
    except scenarios.ScenarioError as error:
        problems.append(str(error))
    seconds = time.monotonic() - started
    if receiver is not None:
        receiver.settle(quiet=0.8, limit=8)
        copies = receiver.take()
        if not problems:
            found, notes = flow.check(expectations, copies)
            problems.extend(found)
    if after is not None:
        after()
    return Result(name, expectations, problems, notes, seconds, copies)


def report(result, verbose=False, stream=sys.stderr):
    status = "ok" if result.passed else "FAIL"
    print("%-17s %-4s %5.1f s" % (result.name, status, result.seconds), file=stream, flush=True)
    for problem in result.problems:
        print("    problem: " + problem, file=stream, flush=True)
    if verbose or not result.passed:
        for note in result.notes:
            print("    " + note, file=stream, flush=True)
