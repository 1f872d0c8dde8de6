"""Scripted calls and the call records ringlog should make of them.

Every scenario drives real phones (baresip) and the carrier (sipp) with fixed ring and talk
times and returns one Expectation per call record. The record (Expectation.record) is what
scripts/lab/drive writes with --expect-out:

    scenario       the scenario's name
    call_id        the SIP Call-ID of the call (the PBX is a proxy, so both legs share it; a
                   transferred call's first Call-ID)
    direction      inbound (from outside), outbound (to outside) or internal (extension to extension)
    outcome        answered, missed (caller gave up), busy (486), declined, failed or
                   answered_elsewhere
    extension      inbound and internal: the extension that answered (the last one after a
                   transfer), or the extension / ring group called when nobody answered; outbound:
                   the calling extension
    from, to       E.164 when the number normalises (region FI), else the SIP user part; `to` is
                   the number the caller called
    ring_seconds   INVITE to answer (or to the end of an unanswered call), as scripted
    talk_seconds   answer to BYE, as scripted; 0 when not answered. A transferred call is one
                   record: from the first answer to the BYE of the last dialog
    call_ids       only on a transferred call: every Call-ID the record joins, in order

records() folds the expectations of a transfer into one record.
Expectation.flows lists, per Call-ID, the SIP messages the HEP mirror must show (see flow.py).
"""
import os
import re
import subprocess
import threading
import time

from . import carrier
from .phone import PhoneError

FINLAND = "358"


class ScenarioError(RuntimeError):
    """The calls did not go as scripted."""


def e164(number, country=FINLAND):
    """What ringlog should make of a number: E.164 for outside numbers, else it unchanged.

    "+358401234567" stays; "00358..." and national "0912345678" (with the lab's region FI)
    become "+358..."; extensions and other short numbers are left as they are.
    """
    if re.fullmatch(r"\+[1-9][0-9]{6,14}", number):
        return number
    if re.fullmatch(r"00[1-9][0-9]{6,14}", number):
        return "+" + number[2:]
    if re.fullmatch(r"0[1-9][0-9]{5,12}", number):
        return "+" + country + number[1:]
    return number


class Expectation:
    """One call record ringlog should produce, and the SIP flow that proves the call happened."""

    def __init__(self, scenario, call_id, direction, outcome, extension, caller, callee,
                 ring, talk, flow, unordered=(), checks=()):
        self.record = {
            "scenario": scenario,
            "call_id": call_id,
            "direction": direction,
            "outcome": outcome,
            "extension": extension,
            "from": e164(caller),
            "to": e164(callee),
            "ring_seconds": round(float(ring), 3),
            "talk_seconds": round(float(talk), 3),
        }
        # the expectation of the call this dialog was transferred from: its record then covers both
        self.joins = None
        # the ordered SIP tokens of this Call-ID (gaps allowed)
        self.flow = list(flow)
        # tokens that must appear for this Call-ID, in any order
        self.unordered = list(unordered)
        # (token, "src"|"dst", port): a copy of that message from or to that port must exist
        self.checks = list(checks)


def records(expectations):
    """The call records ringlog should write: one per expectation, except that a dialog a transfer
    made (Expectation.joins) extends the record of the call it was transferred from: that record
    keeps its first Call-ID, caller, called number and ring time, takes the last answering
    extension, and its talk time runs from the first answer to the last BYE."""
    result, by_call = [], {}
    for expectation in expectations:
        if expectation.joins is not None and id(expectation.joins) in by_call:
            record, joined = by_call[id(expectation.joins)], expectation.record
            record["extension"] = joined["extension"]
            record["talk_seconds"] = round(record["talk_seconds"] + joined["talk_seconds"], 3)
            record.setdefault("call_ids", [record["call_id"]]).append(joined["call_id"])
            by_call[id(expectation)] = record
            continue
        record = dict(expectation.record)
        by_call[id(expectation)] = record
        result.append(record)
    return result


class Context:
    """What a scenario needs: the lab description, its phones, timings and the numbers."""

    def __init__(self, lab, phones, caller, target, ring=None, talk=None, timeout=20.0):
        self.lab = lab
        self.phones = phones
        self.caller = caller
        self.target = target
        self.ring_override = ring
        self.talk_override = talk
        self.timeout = timeout

    def ring(self, default):
        return default if self.ring_override is None else self.ring_override

    def talk(self, default):
        return default if self.talk_override is None else self.talk_override

    def phone(self, name):
        return self.phones[name]

    def port_of(self, extension):
        return self.lab["phones"][extension]["sip_port"]

    def limit(self, *seconds):
        """A bounded wait: the scripted seconds plus generous slack for a loaded machine."""
        return sum(seconds) + self.timeout

    def wait_listening(self, port, sipp):
        """Waits until something listens on 127.0.0.1:PORT/udp (the carrier's sipp)."""
        wanted = ":%04X" % port
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if not sipp.running():
                sipp.finish()  # raises with sipp's exit status and log
            with open("/proc/net/udp") as table:
                if any(line.split()[1].endswith(wanted) for line in list(table)[1:]):
                    return
            time.sleep(0.05)
        raise ScenarioError("the carrier did not open 127.0.0.1:%d within %.0f s" % (port, self.timeout))


def _ms(seconds):
    return int(round(seconds * 1000))


# ---- scenarios ----------------------------------------------------------------------------------

def inbound_answered(ctx):
    """The outside caller calls 1001; it rings 2 s, 1001 answers, they talk 3 s, the caller hangs up."""
    ring, talk = ctx.ring(2), ctx.talk(3)
    phone = ctx.phone("1001")
    sipp = carrier.call_in(ctx.lab, "inbound_answered", "call_in.xml", "1001", ctx.caller,
                           _ms(talk), ctx.limit(ring, talk))
    try:
        incoming = phone.wait("CALL_INCOMING", ctx.timeout)
        time.sleep(ring)
        phone.command("accept")
        phone.wait("CALL_CLOSED", ctx.limit(talk))
        sipp.finish()
    finally:
        sipp.stop()
    return [Expectation("inbound_answered", incoming["id"], "inbound", "answered", "1001",
                        ctx.caller, "1001", ring, talk,
                        ["INVITE", "180 INVITE", "200 INVITE", "ACK", "BYE", "200 BYE"],
                        checks=[("INVITE", "dst", ctx.port_of("1001"))])]


def missed(ctx):
    """The outside caller calls 1001 and hangs up (CANCEL) after 3 s of ringing."""
    ring = ctx.ring(3)
    phone = ctx.phone("1001")
    sipp = carrier.call_in(ctx.lab, "missed", "call_in_cancel.xml", "1001", ctx.caller,
                           _ms(ring), ctx.limit(ring))
    try:
        incoming = phone.wait("CALL_INCOMING", ctx.timeout)
        phone.wait("CALL_CLOSED", ctx.limit(ring))
        sipp.finish()
    finally:
        sipp.stop()
    return [Expectation("missed", incoming["id"], "inbound", "missed", "1001", ctx.caller, "1001",
                        ring, 0, ["INVITE", "180 INVITE", "CANCEL", "487 INVITE", "ACK"],
                        unordered=["200 CANCEL"])]


def busy(ctx):
    """The outside caller calls 1001; after 1 s of ringing 1001 rejects it (486)."""
    ring = ctx.ring(1)
    phone = ctx.phone("1001")
    sipp = carrier.call_in(ctx.lab, "busy", "call_in_rejected.xml", "1001", ctx.caller, 0,
                           ctx.limit(ring))
    try:
        incoming = phone.wait("CALL_INCOMING", ctx.timeout)
        time.sleep(ring)
        phone.command("hangup")  # baresip rejects a ringing call with 486
        sipp.finish()
    finally:
        sipp.stop()
    return [Expectation("busy", incoming["id"], "inbound", "busy", "1001", ctx.caller, "1001",
                        ring, 0, ["INVITE", "180 INVITE", "486 INVITE", "ACK"])]


def outbound(ctx):
    """1001 calls the outside target; the carrier rings 2 s and answers; 1001 hangs up after 3 s."""
    ring, talk = ctx.ring(2), ctx.talk(3)
    phone = ctx.phone("1001")
    sipp = carrier.answer_out(ctx.lab, "outbound", _ms(ring), ctx.limit(ring, talk))
    try:
        ctx.wait_listening(ctx.lab["carrier"]["uas_port"], sipp)
        phone.command("dial", "sip:%s@127.0.0.1" % ctx.target)
        ringing = phone.wait("CALL_RINGING", ctx.timeout)
        phone.wait("CALL_ESTABLISHED", ctx.limit(ring))
        time.sleep(talk)
        phone.command("hangup")
        sipp.finish()
    finally:
        sipp.stop()
    return [Expectation("outbound", ringing["id"], "outbound", "answered", "1001", "1001",
                        ctx.target, ring, talk,
                        ["INVITE", "407 INVITE", "INVITE", "180 INVITE", "200 INVITE", "ACK", "BYE",
                         "200 BYE"],
                        checks=[("INVITE", "dst", ctx.lab["carrier"]["uas_port"])])]


def _outbound_rejected(ctx, name, code, reason, outcome):
    ring = ctx.ring(2)
    phone = ctx.phone("1001")
    sipp = carrier.reject_out(ctx.lab, name, _ms(ring), code, reason, ctx.limit(ring))
    try:
        ctx.wait_listening(ctx.lab["carrier"]["uas_port"], sipp)
        phone.command("dial", "sip:%s@127.0.0.1" % ctx.target)
        ringing = phone.wait("CALL_RINGING", ctx.timeout)
        phone.wait("CALL_CLOSED", ctx.limit(ring))
        sipp.finish()
    finally:
        sipp.stop()
    return [Expectation(name, ringing["id"], "outbound", outcome, "1001", "1001", ctx.target,
                        ring, 0, ["INVITE", "407 INVITE", "INVITE", "180 INVITE",
                                  "%d INVITE" % code, "ACK"],
                        checks=[("%d INVITE" % code, "src", ctx.lab["carrier"]["uas_port"])])]


def outbound_busy(ctx):
    """1001 calls the outside target; it rings 2 s and the far end answers 486 Busy Here."""
    return _outbound_rejected(ctx, "outbound_busy", 486, "Busy Here", "busy")


def outbound_declined(ctx):
    """1001 calls the outside target; it rings 2 s and the far end answers 603 Decline."""
    return _outbound_rejected(ctx, "outbound_declined", 603, "Decline", "declined")


def ring_group(ctx):
    """The outside caller calls ring group 2000 (1001 and 1002 ring); after 2 s 1002 answers and
    1001 stops ringing (CANCEL); they talk 3 s and the caller hangs up."""
    ring, talk = ctx.ring(2), ctx.talk(3)
    first, second = ctx.phone("1001"), ctx.phone("1002")
    sipp = carrier.call_in(ctx.lab, "ring_group", "call_in.xml", "2000", ctx.caller, _ms(talk),
                           ctx.limit(ring, talk))
    try:
        incoming = first.wait("CALL_INCOMING", ctx.timeout)
        second.wait("CALL_INCOMING", ctx.timeout)
        time.sleep(ring)
        second.command("accept")
        first.wait("CALL_CLOSED", ctx.timeout)
        second.wait("CALL_CLOSED", ctx.limit(talk))
        sipp.finish()
    finally:
        sipp.stop()
    return [Expectation("ring_group", incoming["id"], "inbound", "answered", "1002", ctx.caller,
                        "2000", ring, talk,
                        ["INVITE", "180 INVITE", "200 INVITE", "ACK", "BYE", "200 BYE"],
                        unordered=["CANCEL", "487 INVITE"],
                        checks=[("200 INVITE", "src", ctx.port_of("1002")),
                                ("CANCEL", "dst", ctx.port_of("1001")),
                                ("BYE", "dst", ctx.port_of("1002"))])]


def _transfer(ctx, name, caller_phone, caller_number, direction):
    """caller_phone calls 1001; 1001 answers and blind-transfers (REFER) it to 1002.

    The first call lasts until 1001's BYE, which baresip sends when the transfer target answered
    (NOTIFY with a 200 sipfrag), so its talk time is talk-before plus the target's ring time. Both
    dialogs are one call record (records()): answered by 1002, talk from 1001's answer to the end.
    """
    ring1, talk1, ring2, talk2 = ctx.ring(1), ctx.talk(2), ctx.ring(1), ctx.talk(2)
    transferor, target = ctx.phone("1001"), ctx.phone("1002")
    caller_phone.command("dial", "sip:1001@127.0.0.1")
    first = transferor.wait("CALL_INCOMING", ctx.timeout)
    time.sleep(ring1)
    transferor.command("accept")
    caller_phone.wait("CALL_ESTABLISHED", ctx.timeout)
    time.sleep(talk1)
    transferor.command("transfer", "sip:1002@127.0.0.1")
    second = target.wait("CALL_INCOMING", ctx.timeout)
    time.sleep(ring2)
    target.command("accept")
    target.wait("CALL_ESTABLISHED", ctx.timeout)
    transferor.wait("CALL_CLOSED", ctx.timeout)
    time.sleep(talk2)
    caller_phone.command("hangup")
    target.wait("CALL_CLOSED", ctx.timeout)
    if first["id"] == second["id"]:
        raise ScenarioError("the transferred call kept its Call-ID %s" % first["id"])
    before = Expectation(name, first["id"], direction, "answered", "1001", caller_number, "1001",
                         ring1, talk1 + ring2,
                         ["INVITE", "200 INVITE", "ACK", "REFER", "202 REFER", "BYE", "200 BYE"],
                         unordered=["NOTIFY"])
    after = Expectation(name, second["id"], direction, "answered", "1002", caller_number, "1002",
                        ring2, talk2,
                        ["INVITE", "180 INVITE", "200 INVITE", "ACK", "BYE", "200 BYE"],
                        checks=[("INVITE", "dst", ctx.port_of("1002"))])
    after.joins = before
    return [before, after]


def blind_transfer(ctx):
    """1003 calls 1001; it rings 1 s, 1001 answers, talks 2 s and blind-transfers 1003 to 1002
    (REFER); 1002 rings 1 s, answers, and 1003 hangs up after 2 s. One internal call record."""
    return _transfer(ctx, "blind_transfer", ctx.phone("1003"), "1003", "internal")


def inbound_transfer(ctx):
    """The outside caller (the PSTN phone) calls 1001; as blind_transfer, 1001 transfers it to
    1002. One inbound call record, answered last by 1002."""
    return _transfer(ctx, "inbound_transfer", ctx.phone("pstn"), ctx.caller, "inbound")


def click_to_call(ctx):
    """Click-to-call through the PBX (kamcmd dlg.bridge_dlg): 1001 rings from "click2call" and
    answers after 1 s; the PBX REFERs it to the outside target, which rings 2 s and answers;
    1001 hangs up after 3 s. The record is the outbound call; the controller's leg is not one."""
    answer, ring, talk = ctx.ring(1), ctx.ring(2), ctx.talk(3)
    phone = ctx.phone("1001")
    sipp = carrier.answer_out(ctx.lab, "click_to_call", _ms(ring), ctx.limit(answer, ring, talk))
    try:
        ctx.wait_listening(ctx.lab["carrier"]["uas_port"], sipp)
        result = subprocess.run(
            ["kamcmd", "-s", ctx.lab["pbx"]["control_socket"], "dlg.bridge_dlg",
             "sip:1001@127.0.0.1", "sip:%s@127.0.0.1" % ctx.target, ctx.lab["pbx"]["uri"]],
            capture_output=True, text=True, timeout=ctx.timeout)
        if result.returncode != 0 or "error" in result.stdout.lower():
            raise ScenarioError("dlg.bridge_dlg failed: %s %s" % (result.stdout.strip(),
                                                                 result.stderr.strip()))
        control = phone.wait("CALL_INCOMING", ctx.timeout)
        time.sleep(answer)
        phone.command("accept")
        deadline = time.monotonic() + ctx.limit(ring)
        while True:  # the second established call is the one to the target
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ScenarioError("1001 never reached the click-to-call target")
            established = phone.wait("CALL_ESTABLISHED", remaining)
            if established["id"] != control["id"]:
                break
        time.sleep(talk)
        phone.command("hangup")
        sipp.finish()
    finally:
        sipp.stop()
    return [Expectation("click_to_call", established["id"], "outbound", "answered", "1001", "1001",
                        ctx.target, ring, talk,
                        ["INVITE", "180 INVITE", "200 INVITE", "ACK", "BYE", "200 BYE"],
                        checks=[("INVITE", "dst", ctx.lab["carrier"]["uas_port"])])]


def agent_click_to_call(ctx):
    """Click-to-call as ringlog will do it, as a SIP user agent: "agent" INVITEs 1001 (digest
    auth), 1001 answers after 1 s, the agent REFERs it to the outside target, which rings 2 s and
    answers; the agent hangs up its leg; 1001 hangs up after 3 s. The record is the outbound call;
    the agent's own leg is not one."""
    from .agent import AgentError, ClickToCall
    answer, ring, talk = ctx.ring(1), ctx.ring(2), ctx.talk(3)
    phone = ctx.phone("1001")
    sipp = carrier.answer_out(ctx.lab, "agent_click_to_call", _ms(ring), ctx.limit(answer, ring, talk))
    agent = None
    try:
        ctx.wait_listening(ctx.lab["carrier"]["uas_port"], sipp)
        agent = ClickToCall(ctx.lab, ctx.lab["port_base"] + 301, "1001", ctx.target, ctx.timeout)
        inviting = threading.Thread(target=_catching, args=(agent.invite,), daemon=True)
        inviting.start()
        control = phone.wait("CALL_INCOMING", ctx.timeout)
        time.sleep(answer)
        phone.command("accept")
        inviting.join(ctx.timeout)
        if inviting.is_alive() or inviting.error:
            raise ScenarioError("agent INVITE: %s" % (inviting.error or "no answer"))
        agent.refer()
        deadline = time.monotonic() + ctx.limit(ring)
        while True:  # the call to the target is the one with another Call-ID
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ScenarioError("1001 never reached the target after the REFER")
            established = phone.wait("CALL_ESTABLISHED", remaining)
            if established["id"] != control["id"]:
                break
        agent.finish()
        time.sleep(talk)
        phone.command("hangup")
        sipp.finish()
    except AgentError as error:
        raise ScenarioError(str(error)) from None
    finally:
        sipp.stop()
        if agent is not None:
            agent.close()
    return [Expectation("agent_click_to_call", established["id"], "outbound", "answered", "1001",
                        "1001", ctx.target, ring, talk,
                        ["INVITE", "180 INVITE", "200 INVITE", "ACK", "BYE", "200 BYE"],
                        checks=[("INVITE", "dst", ctx.lab["carrier"]["uas_port"])])]


def _catching(function):
    """Thread target that stores the exception of `function` on the thread as .error."""
    thread = threading.current_thread()
    thread.error = None
    try:
        function()
    except Exception as error:  # reported by the scenario, in the main thread
        thread.error = error


# the order of a full run; every one of them is run by selftest and record
SCENARIOS = {function.__name__: function for function in [
    inbound_answered, missed, busy, outbound, outbound_busy, outbound_declined, ring_group,
    blind_transfer, inbound_transfer, click_to_call, agent_click_to_call,
]}


def describe(name):
    return " ".join(SCENARIOS[name].__doc__.split())


def run(ctx, name):
    """Runs one scenario from idle phones and returns its expectations (raises ScenarioError)."""
    for phone in ctx.phones.values():
        phone.make_idle()
    try:
        return SCENARIOS[name](ctx)
    except PhoneError as error:
        raise ScenarioError(str(error)) from None
    except carrier.CarrierError as error:
        raise ScenarioError(str(error)) from None
    finally:
        for phone in ctx.phones.values():
            try:
                phone.make_idle()
            except PhoneError:
                pass


def open_phones(lab):
    """Connects to every phone's control port; keys are the extensions and "pstn"."""
    from .phone import Phone
    phones = {extension: Phone(extension, info["control_port"])
              for extension, info in lab["phones"].items()}
    phones["pstn"] = Phone("pstn", lab["pstn_phone"]["control_port"])
    return phones


def close_phones(phones):
    for phone in phones.values():
        phone.close()


def default_numbers(lab):
    """The outside caller (fixed by the lab's PSTN phone) and the outbound target."""
    caller = lab["pstn_phone"]["number"]
    target = os.environ.get("RINGLOG_LAB_TARGET", "0912345678")
    if not re.fullmatch(r"\+?[0-9]{5,20}", target) or re.fullmatch(r"1[0-9]{3}|2000", target):
        raise ScenarioError("RINGLOG_LAB_TARGET=%s: use an outside number, digits with an optional "
                            "leading +" % target)
    return caller, target
