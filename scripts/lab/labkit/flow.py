"""Checks captured HEP copies against a scenario's expectations.

Kamailio mirrors each message it handles twice (as received and as sent) and from different
processes, so copies can be a few milliseconds out of causal order. The checks therefore use,
per token, the earliest copy, and compare times with a tolerance.

Tokens: "INVITE" is a request; "180 INVITE" a response (status and CSeq method).
"""

# ringlog is told to accept durations within this many seconds of the scripted ones
TOLERANCE_SECONDS = 1.0


def calls(copies):
    """Groups copies by Call-ID, in capture-time order."""
    grouped = {}
    for copy in sorted(copies, key=lambda c: c.time):
        grouped.setdefault(copy.call_id, []).append(copy)
    return grouped


def _in_order(wanted, tokens):
    remaining = iter(tokens)
    return all(any(token == want for token in remaining) for want in wanted)


def measure(copies):
    """(ring, talk) seconds of one call's copies, from the PBX's capture times.

    ring: first INVITE to the first 200 for an INVITE, or for an unanswered call to the CANCEL or
    the final error response, whichever came first. talk: that 200 to the first BYE.
    """
    invite = next((c.time for c in copies if c.is_request and c.method == "INVITE"), None)
    answer = next((c.time for c in copies
                   if not c.is_request and c.status == 200 and c.cseq_method == "INVITE"), None)
    if invite is None:
        return None, None
    if answer is not None:
        bye = next((c.time for c in copies if c.is_request and c.method == "BYE"), None)
        return answer - invite, (bye - answer) if bye is not None else None
    end = next((c.time for c in copies if (c.is_request and c.method == "CANCEL") or
                (not c.is_request and c.cseq_method == "INVITE" and c.status >= 300
                 and c.status != 407)), None)
    return (end - invite) if end is not None else None, 0.0


def measure_record(grouped, call_ids):
    """(ring, talk) of a call record that joins the dialogs `call_ids` (a transfer): ring of the
    first dialog, talk from its answer to the first BYE of the last dialog."""
    ring, talk = measure(grouped.get(call_ids[0], []))
    if len(call_ids) == 1 or talk is None:
        return ring, talk
    copies = grouped.get(call_ids[0], [])
    answer = next((c.time for c in copies
                   if not c.is_request and c.status == 200 and c.cseq_method == "INVITE"), None)
    bye = next((c.time for c in grouped.get(call_ids[-1], []) if c.is_request and c.method == "BYE"),
               None)
    return ring, (bye - answer) if answer is not None and bye is not None else None


def check(expectations, copies):
    """Returns (problems, notes): what is wrong, and the measured timings for the log."""
    problems, notes = [], []
    grouped = calls(copies)
    for expectation in expectations:
        record = expectation.record
        call_id = record["call_id"]
        mine = grouped.get(call_id, [])
        label = "%s/%s" % (record["to"], call_id)
        if not mine:
            problems.append("%s: no HEP copies of this call" % label)
            continue
        tokens = [c.token() for c in mine]
        if not _in_order(expectation.flow, tokens):
            problems.append("%s: expected %s in this order, HEP has %s"
                            % (label, " ".join(expectation.flow), " ".join(tokens)))
        for token in expectation.unordered:
            if token not in tokens:
                problems.append("%s: no %s" % (label, token))
        for token, side, port in expectation.checks:
            if not any(c.token() == token and (c.src if side == "src" else c.dst)[1] == port
                       for c in mine):
                problems.append("%s: no %s %s port %d" % (label, token,
                                                          "from" if side == "src" else "to", port))
        ring, talk = measure(mine)
        notes.append("%s ring %s (scripted %.1f) talk %s (scripted %.1f)"
                     % (label, _seconds(ring), record["ring_seconds"], _seconds(talk),
                        record["talk_seconds"]))
        for what, measured, scripted in (("ring", ring, record["ring_seconds"]),
                                         ("talk", talk, record["talk_seconds"])):
            if measured is None:
                problems.append("%s: cannot measure the %s time from HEP" % (label, what))
            elif abs(measured - scripted) > TOLERANCE_SECONDS:
                problems.append("%s: %s time %.2f s in HEP, scripted %.2f s"
                                % (label, what, measured, scripted))
    return problems, notes


def _seconds(value):
    return "?" if value is None else "%.2f" % value
