"""Python side of ringlog's SIP lab (standard library only).

lab.json of a running lab (written by scripts/lab/lab start) tells these modules every port.
Modules: labinfo (lab.json), hep (HEP v3 decoding and a UDP receiver), phone (baresip remote
control), carrier (sipp runs), scenarios (scripted calls and the call records they should produce),
flow (checks of the SIP flow and timings in captured HEP), pcap (reads the recorded captures).
"""
