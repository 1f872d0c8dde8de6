"""Tests of the Pipedrive simulator itself (standard library unittest).

Run: python3 -m unittest discover -s Tests/PipedriveSimulator -v
"""

import base64
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import pdsim  # noqa: E402
from schema_validator import validate  # noqa: E402

API_TOKEN = "test-api-token"
CLIENT_ID = "ringlog-test-client"
CLIENT_SECRET = "ringlog-test-secret"
REDIRECT_URI = "http://127.0.0.1/callback"
SPEC = pdsim.load_spec()


def nullable_everywhere(schema):
    """Pipedrive's specs rarely mark nullable fields; responses may hold null anywhere.
    v1 writes times as 'YYYY-MM-DD HH:MM:SS' even where the spec says date-time
    (the spec's own examples do), so date-time also accepts that form here."""
    if isinstance(schema, dict):
        out = {k: nullable_everywhere(v) for k, v in schema.items()}
        out["nullable"] = True
        if out.get("format") == "date-time":
            out["format"] = "pipedrive-datetime"
        if "properties" in schema:
            out["properties"] = {k: nullable_everywhere(v) for k, v in schema["properties"].items()}
        return out
    if isinstance(schema, list):
        return [nullable_everywhere(s) for s in schema]
    return schema


class Answer:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.raw = raw
        try:
            self.json = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            self.json = None


class SimulatorTestCase(unittest.TestCase):
    """Starts one in-process simulator per test class and resets it per test."""

    @classmethod
    def setUpClass(cls):
        cls.server, cls.thread = pdsim.start_in_thread()
        cls.port = cls.server.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        cls.thread.join(timeout=10)

    def setUp(self):
        self.control("POST", "/_sim/reset")
        self.control("POST", "/_sim/config", {"burst_limit_api_token": 10000, "burst_limit_oauth": 10000,
                                              "burst_limit_search": 10000})

    def request(self, method, path, body=None, headers=None, json_body=None, form=None, token=API_TOKEN):
        headers = dict(headers or {})
        if token is not None and "Authorization" not in headers:
            headers.setdefault("x-api-token", token)
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers.setdefault("Content-Type", "application/json")
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return Answer(resp.status, resp.getheaders(), resp.read())
        finally:
            conn.close()

    def control(self, method, path, body=None):
        answer = self.request(method, path, json_body=body if body is not None else None, token=None)
        self.assertLess(answer.status, 300, answer.raw)
        return answer.json

    def requests_log(self):
        return self.control("GET", "/_sim/requests")

    def assert_conforms(self, answer, key):
        """The answer matches the response schema in spec-subset.json for its status."""
        schema = SPEC[key]["responses"].get(str(answer.status), {}).get("schema")
        self.assertIsNotNone(schema, "no %s response schema for %s" % (answer.status, key))
        problems = validate(answer.json, nullable_everywhere(schema), reject_unknown=False)
        self.assertEqual([str(p) for p in problems], [], "%s answer does not match the spec" % key)

    def call_log_body(self, **extra):
        body = {"outcome": "connected", "to_phone_number": "+358400124387",
                "start_time": "2026-01-20 10:00:00", "end_time": "2026-01-20 10:02:05", "duration": "125"}
        body.update(extra)
        return body


class CallLogTests(SimulatorTestCase):
    def test_add_call_log_returns_string_id_and_backing_call_activity(self):
        answer = self.request("POST", "/api/v1/callLogs", json_body=self.call_log_body(person_id=1, org_id=1))
        self.assertEqual(answer.status, 200, answer.raw)
        self.assert_conforms(answer, "POST /api/v1/callLogs")
        data = answer.json["data"]
        self.assertTrue(answer.json["success"])
        self.assertIsInstance(data["id"], str)
        self.assertEqual(data["start_time"], "2026-01-20T10:00:00.000Z")
        self.assertFalse(data["has_recording"])
        state = self.control("GET", "/_sim/state")
        activity = [a for a in state["activities"] if a["id"] == data["activity_id"]][0]
        self.assertEqual(activity["type"], "call")
        self.assertEqual(activity["person_id"], 1)
        self.assertTrue(activity["done"])
        self.assertEqual(state["call_logs"][0]["id"], data["id"])

    def test_get_list_and_delete_call_log(self):
        created = self.request("POST", "/api/v1/callLogs", json_body=self.call_log_body()).json["data"]
        got = self.request("GET", "/api/v1/callLogs/" + created["id"])
        self.assertEqual(got.status, 200)
        self.assert_conforms(got, "GET /api/v1/callLogs/{id}")
        listed = self.request("GET", "/api/v1/callLogs?start=0&limit=50")
        self.assert_conforms(listed, "GET /api/v1/callLogs")
        self.assertEqual([c["id"] for c in listed.json["data"]], [created["id"]])
        self.assertEqual(listed.json["additional_data"]["pagination"],
                         {"start": 0, "limit": 50, "more_items_in_collection": False})
        self.assertEqual(self.request("DELETE", "/api/v1/callLogs/" + created["id"]).json, {"success": True})
        gone = self.request("DELETE", "/api/v1/callLogs/" + created["id"])
        self.assertEqual(gone.status, 410)
        self.assert_conforms(gone, "DELETE /api/v1/callLogs/{id}")
        missing = self.request("GET", "/api/v1/callLogs/" + created["id"])
        self.assertEqual(missing.status, 404)
        self.assert_conforms(missing, "GET /api/v1/callLogs/{id}")
        self.assertEqual(self.request("GET", "/api/v1/callLogs/CAnope").status, 404)

    def test_call_log_list_paginates_by_start_and_limit(self):
        for _ in range(3):
            self.request("POST", "/api/v1/callLogs", json_body=self.call_log_body())
        first = self.request("GET", "/api/v1/callLogs?start=0&limit=2").json
        self.assertEqual(len(first["data"]), 2)
        self.assertEqual(first["additional_data"]["pagination"]["more_items_in_collection"], True)
        self.assertEqual(first["additional_data"]["pagination"]["next_start"], 2)
        second = self.request("GET", "/api/v1/callLogs?start=2&limit=2").json
        self.assertEqual(len(second["data"]), 1)
        self.assertFalse(second["additional_data"]["pagination"]["more_items_in_collection"])

    def test_validation_errors_answer_400_in_v1_envelope(self):
        cases = [
            ({k: v for k, v in self.call_log_body().items() if k != "outcome"}, '"outcome" is required.'),
            (self.call_log_body(duration=125), '"duration" must be a string, not integer'),
            (self.call_log_body(outcome="hung_up"), '"outcome" must be one of'),
            (self.call_log_body(caller_name="x"), '"caller_name" is not allowed'),
            (self.call_log_body(start_time="20.1.2026 10:00"), '"start_time" must be a UTC date-time'),
            (self.call_log_body(person_id="1"), '"person_id" must be an integer'),
        ]
        for body, message in cases:
            answer = self.request("POST", "/api/v1/callLogs", json_body=body)
            self.assertEqual(answer.status, 400, body)
            self.assert_conforms(answer, "POST /api/v1/callLogs")
            self.assertEqual(answer.json["success"], False)
            self.assertIsNone(answer.json["data"])
            self.assertIn("error_info", answer.json)
            self.assertTrue(answer.json["error"].startswith(message), answer.json["error"])
        log = self.requests_log()
        self.assertEqual(len(log), len(cases))
        self.assertTrue(all(entry["violations"] for entry in log))
        self.assertIn("body.outcome: is required", log[0]["violations"])

    def test_v1_limit_above_50_is_clamped_and_recorded(self):
        answer = self.request("GET", "/api/v1/callLogs?limit=100")
        self.assertEqual(answer.status, 200)
        self.assertEqual(answer.json["additional_data"]["pagination"]["limit"], 50)
        self.assertEqual(self.requests_log()[0]["violations"], ["query.limit: must be less than or equal to 50"])
        self.control("POST", "/_sim/config", {"reject_v1_query_overflow": True})
        self.assertEqual(self.request("GET", "/api/v1/callLogs?limit=100").status, 400)

    def test_iso_start_time_is_accepted(self):
        answer = self.request("POST", "/api/v1/callLogs",
                              json_body=self.call_log_body(start_time="2026-01-20T10:00:00Z"))
        self.assertEqual(answer.status, 200, answer.raw)

    def test_unknown_person_is_404_and_deal_with_lead_is_400(self):
        self.assertEqual(self.request("POST", "/api/v1/callLogs",
                                      json_body=self.call_log_body(person_id=9999)).status, 404)
        answer = self.request("POST", "/api/v1/callLogs", json_body=self.call_log_body(
            deal_id=1, lead_id="adf21080-0e10-11eb-879b-05d71fb426ec"))
        self.assertEqual(answer.status, 400)

    def test_activity_id_must_be_a_call_activity(self):
        self.assertEqual(self.request("POST", "/api/v1/callLogs",
                                      json_body=self.call_log_body(activity_id=1)).status, 400)
        answer = self.request("POST", "/api/v1/callLogs", json_body=self.call_log_body(activity_id=2))
        self.assertEqual(answer.status, 200)
        self.assertEqual(answer.json["data"]["activity_id"], 2)
        self.assertEqual(answer.json["data"]["person_id"], 1)

    def test_logging_for_another_user_needs_account_settings_access(self):
        answer = self.request("POST", "/api/v1/callLogs", json_body=self.call_log_body(user_id=1),
                              token="test-api-token-user2")
        self.assertEqual(answer.status, 403)
        answer = self.request("POST", "/api/v1/callLogs", json_body=self.call_log_body(user_id=2))
        self.assertEqual(answer.status, 200)
        self.assertEqual(answer.json["data"]["user_id"], 2)

    def test_recording_upload_is_multipart_and_only_once(self):
        created = self.request("POST", "/api/v1/callLogs", json_body=self.call_log_body()).json["data"]
        boundary = "pdsimboundary"
        body = ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"call.wav\"\r\n"
                "Content-Type: audio/wav\r\n\r\n" % boundary).encode() + b"RIFF0000WAVE" + (
            "\r\n--%s--\r\n" % boundary).encode()
        headers = {"Content-Type": "multipart/form-data; boundary=" + boundary}
        path = "/api/v1/callLogs/%s/recordings" % created["id"]
        answer = self.request("POST", path, body=body, headers=headers)
        self.assertEqual(answer.status, 200, answer.raw)
        self.assertEqual(answer.json, {"success": True})
        conflict = self.request("POST", path, body=body, headers=headers)
        self.assertEqual(conflict.status, 409)
        self.assert_conforms(conflict, "POST /api/v1/callLogs/{id}/recordings")
        self.assertTrue(self.request("GET", "/api/v1/callLogs/" + created["id"]).json["data"]["has_recording"])
        log = self.requests_log()[1]
        self.assertEqual(log["body"]["file"], {"filename": "call.wav", "content_type": "audio/wav", "size": 12})
        state = self.control("GET", "/_sim/state")
        self.assertEqual(state["call_logs"][0]["recording"]["size"], 12)
        missing = self.request("POST", path, body=b"--x--\r\n", headers={"Content-Type": "multipart/form-data; boundary=x"})
        self.assertEqual(missing.status, 400)
        self.assertEqual(self.request("POST", "/api/v1/callLogs/CAnope/recordings", body=body,
                                      headers=headers).status, 404)

    def test_legacy_v1_prefix_is_served(self):
        self.assertEqual(self.request("GET", "/v1/users/me").status, 200)


class UsersTypesRecentsTests(SimulatorTestCase):
    def test_users_and_me(self):
        users = self.request("GET", "/api/v1/users")
        self.assertEqual(users.status, 200)
        self.assert_conforms(users, "GET /api/v1/users")
        self.assertTrue(any(not u["active_flag"] for u in users.json["data"]))
        self.assertEqual([u["id"] for u in users.json["data"] if u["is_you"]], [1])
        me = self.request("GET", "/api/v1/users/me")
        self.assert_conforms(me, "GET /api/v1/users/me")
        self.assertEqual(me.json["data"]["company_domain"], "ringlog-test")
        self.assertEqual(self.request("GET", "/api/v1/users/2").json["data"]["email"],
                         "bertil.berg@ringlog-test.example")
        self.assertEqual(self.request("GET", "/api/v1/users/99").status, 404)

    def test_activity_types(self):
        answer = self.request("GET", "/api/v1/activityTypes")
        self.assert_conforms(answer, "GET /api/v1/activityTypes")
        keys = {t["key_string"] for t in answer.json["data"]}
        self.assertTrue({"call", "meeting", "task", "email", "whatsapp_chat"} <= keys)
        self.assertRegex(answer.json["data"][0]["add_time"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")

    def test_recents_requires_since_timestamp_and_returns_v1_persons(self):
        self.assertEqual(self.request("GET", "/api/v1/recents").status, 400)
        self.assertEqual(self.request("GET", "/api/v1/recents?since_timestamp=yesterday").status, 400)
        self.control("PATCH", "/_sim/persons/3", {"phones": ["+358 9 6533 2670"]})
        answer = self.request("GET", "/api/v1/recents?since_timestamp=2026-02-01%2000:00:00&items=person")
        self.assertEqual(answer.status, 200)
        self.assert_conforms(answer, "GET /api/v1/recents")
        self.assertEqual([(i["item"], i["id"]) for i in answer.json["data"]], [("person", 3)])
        person = answer.json["data"][0]["data"]
        self.assertEqual(person["phone"][0]["value"], "+358 9 6533 2670")
        self.assertEqual(person["org_id"], 1)
        self.assertRegex(person["update_time"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
        self.assertIn("last_timestamp_on_page", answer.json["additional_data"])


class PersonTests(SimulatorTestCase):
    def test_list_pages_with_cursor_until_null(self):
        seen, cursor, pages = [], None, 0
        while pages < 20:
            path = "/api/v2/persons?limit=7" + ("&cursor=" + cursor if cursor else "")
            answer = self.request("GET", path)
            self.assertEqual(answer.status, 200, answer.raw)
            self.assert_conforms(answer, "GET /api/v2/persons")
            seen += [p["id"] for p in answer.json["data"]]
            cursor = answer.json["additional_data"]["next_cursor"]
            pages += 1
            if cursor is None:
                break
        self.assertEqual(seen, sorted(seen))
        self.assertEqual(len(seen), 21)
        self.assertEqual(pages, 3)

    def test_list_limit_and_types_are_validated(self):
        for query in ("limit=501", "limit=ten", "sort_by=name", "updated_since=2026-01-01",
                      "updated_since=2026-01-01T00:00:00.5Z", "cursor=%%%", "include_labels=yes"):
            answer = self.request("GET", "/api/v2/persons?" + query)
            self.assertEqual(answer.status, 400, query)
            self.assertEqual(answer.json["code"], "ERR_SCHEMA_VALIDATION_FAILED")
            self.assertFalse(answer.json["success"])
        self.assertEqual(self.request("GET", "/api/v2/persons?limit=500").status, 200)

    def test_updated_since_sees_changes_made_behind_the_back(self):
        now = self.control("GET", "/_sim/clock")["now"]
        self.assertEqual(self.request("GET", "/api/v2/persons?updated_since=" + now).json["data"], [])
        self.control("PATCH", "/_sim/persons/5", {"phones": ["+358 18 25001"]})
        added = self.control("POST", "/_sim/persons", {"name": "Uusi Henkilö", "phones": ["050 123 4567"]})
        changed = self.request("GET", "/api/v2/persons?updated_since=" + now).json["data"]
        self.assertEqual([p["id"] for p in changed], [5, added["id"]])
        self.assertEqual(changed[0]["phones"], [{"value": "+358 18 25001", "primary": True, "label": "work"}])

    def test_deleted_and_merged_persons(self):
        self.control("DELETE", "/_sim/persons/11")
        self.assertEqual(self.request("GET", "/api/v2/persons/11").status, 404)
        ids = [p["id"] for p in self.request("GET", "/api/v2/persons?limit=500").json["data"]]
        self.assertNotIn(11, ids)
        merged = self.control("POST", "/_sim/merge-persons", {"from": 4, "into": 3})
        self.assertIn("00358505551234", [p["value"] for p in merged["phones"]])
        self.assertEqual(self.request("GET", "/api/v2/persons/4").status, 404)
        recents = self.request("GET", "/api/v1/recents?since_timestamp=2026-02-01%2000:00:00&items=person").json
        flags = {i["id"]: i["data"]["active_flag"] for i in recents["data"]}
        self.assertEqual(flags, {11: False, 4: False, 3: True})

    def test_get_person_v2_shape(self):
        answer = self.request("GET", "/api/v2/persons/2")
        self.assert_conforms(answer, "GET /api/v2/persons/{id}")
        data = answer.json["data"]
        self.assertEqual(data["org_id"], 1)
        self.assertEqual(data["phones"][0], {"value": "+358 (0)40-922 0428", "primary": True, "label": "mobile"})
        self.assertRegex(data["update_time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(self.request("GET", "/api/v2/persons/abc").status, 400)
        self.assertEqual(self.request("GET", "/api/v2/persons/999").status, 404)

    def test_search_by_phone_exact_and_partial(self):
        answer = self.request("GET", "/api/v2/persons/search?term=%2B358%209%206533%20267&fields=phone&exact_match=true")
        self.assertEqual(answer.status, 200)
        self.assert_conforms(answer, "GET /api/v2/persons/search")
        self.assertEqual([i["item"]["id"] for i in answer.json["data"]["items"]], [])
        answer = self.request("GET", "/api/v2/persons/search?term=096533267&fields=phone&exact_match=true")
        items = answer.json["data"]["items"]
        self.assertEqual([i["item"]["id"] for i in items], [2, 3, 4])
        self.assertEqual(items[0]["item"]["phones"], ["+358 (0)40-922 0428", "(09) 6533 267"])
        self.assertEqual(items[0]["item"]["organization"]["id"], 1)
        partial = self.request("GET", "/api/v2/persons/search?term=1825000&fields=phone")
        self.assertEqual([i["item"]["id"] for i in partial.json["data"]["items"]], [5, 6])

    def test_search_term_rules(self):
        self.assertEqual(self.request("GET", "/api/v2/persons/search").status, 400)
        self.assertEqual(self.request("GET", "/api/v2/persons/search?term=5").status, 400)
        self.assertEqual(self.request("GET", "/api/v2/persons/search?term=5&exact_match=true").status, 200)
        self.assertEqual(self.request("GET", "/api/v2/persons/search?term=12&fields=phone,fax").status, 400)

    def test_raw_search_mode_compares_strings(self):
        self.control("POST", "/_sim/config", {"search_mode": "raw"})
        hits = self.request("GET", "/api/v2/persons/search?term=018%2025000&fields=phone&exact_match=true").json
        self.assertEqual([i["item"]["id"] for i in hits["data"]["items"]], [6])

    def test_add_person(self):
        answer = self.request("POST", "/api/v2/persons", json_body={
            "name": "Soittaja Tuntematon", "phones": [{"value": "+358401234567"}], "org_id": 1})
        self.assertEqual(answer.status, 200, answer.raw)
        self.assert_conforms(answer, "POST /api/v2/persons")
        self.assertEqual(answer.json["data"]["phones"], [{"value": "+358401234567", "primary": True, "label": "work"}])
        for body in ({"name": "X", "phones": "+358401234567"}, {"name": "X", "phone": "1"},
                     {"name": "X", "org_id": 999}, {"phones": [{"value": "1"}]},
                     {"name": "X", "phones": [{"value": "1", "primary": True}, {"value": "2", "primary": True}]}):
            bad = self.request("POST", "/api/v2/persons", json_body=body)
            self.assertEqual(bad.status, 400, body)
            self.assertEqual(bad.json["code"], "ERR_SCHEMA_VALIDATION_FAILED")
        form = self.request("POST", "/api/v2/persons", form={"name": "X"})
        self.assertEqual(form.status, 400)


class OrganizationDealActivityTests(SimulatorTestCase):
    def test_organizations(self):
        answer = self.request("GET", "/api/v2/organizations?limit=2")
        self.assert_conforms(answer, "GET /api/v2/organizations")
        self.assertEqual([o["id"] for o in answer.json["data"]], [1, 2])
        cursor = answer.json["additional_data"]["next_cursor"]
        rest = self.request("GET", "/api/v2/organizations?limit=2&cursor=" + cursor).json
        self.assertEqual([o["id"] for o in rest["data"]], [3, 4])
        one = self.request("GET", "/api/v2/organizations/2")
        self.assert_conforms(one, "GET /api/v2/organizations/{id}")
        self.assertEqual(one.json["data"]["name"], "Ålands Sjöfart Ab")
        self.assertEqual(self.request("GET", "/api/v2/organizations/77").status, 404)

    def test_deals_filters_and_add(self):
        answer = self.request("GET", "/api/v2/deals?person_id=2&status=open")
        self.assert_conforms(answer, "GET /api/v2/deals")
        self.assertEqual([d["id"] for d in answer.json["data"]], [1])
        both = self.request("GET", "/api/v2/deals?person_id=2&status=open,lost").json
        self.assertEqual([d["id"] for d in both["data"]], [1, 4])
        self.assertEqual(self.request("GET", "/api/v2/deals?status=pending").status, 400)
        created = self.request("POST", "/api/v2/deals", json_body={"title": "Call follow-up", "person_id": 1})
        self.assertEqual(created.status, 200, created.raw)
        self.assert_conforms(created, "POST /api/v2/deals")
        self.assertEqual(created.json["data"]["status"], "open")
        self.assertEqual(self.request("POST", "/api/v2/deals", json_body={"person_id": 1}).status, 400)

    def test_deals_changed_behind_the_back_show_in_updated_since(self):
        now = self.control("GET", "/_sim/clock")["now"]
        every = "status=open,won,lost,deleted&sort_by=update_time&updated_since=" + now
        self.assertEqual(self.request("GET", "/api/v2/deals?" + every).json["data"], [])
        self.control("PATCH", "/_sim/deals/1", {"status": "won"})
        self.control("DELETE", "/_sim/deals/2")
        changed = self.request("GET", "/api/v2/deals?" + every)
        self.assertEqual(changed.status, 200, changed.raw)
        self.assertEqual([(d["id"], d["status"], d["is_deleted"]) for d in changed.json["data"]],
                         [(1, "won", False), (2, "open", True)])
        self.assertEqual(self.request("GET", "/api/v2/deals?status=open").json["data"], [])
        self.assertEqual(self.request("PATCH", "/_sim/deals/1", json_body={"status": "pending"}, token=None).status, 400)
        self.assertEqual(self.request("PATCH", "/_sim/deals/99", json_body={"status": "won"}, token=None).status, 404)

    def test_activity_create_patch_get_delete(self):
        answer = self.request("POST", "/api/v2/activities", json_body={
            "subject": "Missed call", "type": "call", "due_date": "2026-01-20", "due_time": "10:00",
            "participants": [{"person_id": 3, "primary": True}], "done": False})
        self.assertEqual(answer.status, 200, answer.raw)
        self.assert_conforms(answer, "POST /api/v2/activities")
        data = answer.json["data"]
        self.assertEqual((data["person_id"], data["due_time"], data["done"]), (3, "10:00:00", False))
        patched = self.request("PATCH", "/api/v2/activities/%d" % data["id"], json_body={"done": True, "note": "ok"})
        self.assert_conforms(patched, "PATCH /api/v2/activities/{id}")
        self.assertTrue(patched.json["data"]["done"])
        self.assertIsNotNone(patched.json["data"]["marked_as_done_time"])
        self.assertEqual(self.request("GET", "/api/v2/activities/%d" % data["id"]).json["data"]["note"], "ok")
        deleted = self.request("DELETE", "/api/v2/activities/%d" % data["id"])
        self.assertEqual(deleted.json, {"success": True, "data": {"id": data["id"]}})
        self.assertEqual(self.request("GET", "/api/v2/activities/%d" % data["id"]).status, 404)
        self.assertEqual(self.request("PATCH", "/api/v2/activities/999", json_body={}).status, 404)

    def test_activity_validation(self):
        for body in ({"type": "fax"}, {"done": 1}, {"due_date": "20.1.2026"}, {"busy_flag": True},
                     {"participants": [{"person_id": 1, "primary_flag": True}]}, {"type": "lunch"}):
            answer = self.request("POST", "/api/v2/activities", json_body=body)
            self.assertEqual(answer.status, 400, body)
            self.assertTrue(answer.json["error"].startswith("Validation failed"), answer.json)


class ActivityListTests(SimulatorTestCase):
    KEY = "GET /api/v2/activities"

    def add(self, **fields):
        body = {"subject": "Chat", "type": "task", "done": True}
        body.update(fields)
        answer = self.request("POST", "/api/v2/activities", json_body=body)
        self.assertEqual(answer.status, 200, answer.raw)
        return answer.json["data"]["id"]

    def listed(self, query=""):
        answer = self.request("GET", "/api/v2/activities" + ("?" + query if query else ""))
        self.assertEqual(answer.status, 200, answer.raw)
        self.assert_conforms(answer, self.KEY)
        return answer.json

    def ids(self, query=""):
        return [a["id"] for a in self.listed(query)["data"]]

    def test_lists_live_activities_in_the_v2_shape_and_costs_10(self):
        body = self.listed()
        self.assertEqual([a["id"] for a in body["data"]], [1, 2])
        self.assertEqual(body["additional_data"], {"next_cursor": None})
        first = body["data"][0]
        self.assertNotIn("attendees", first)
        self.assertEqual((first["person_id"], first["org_id"], first["done"]), (2, 1, False))
        self.assertEqual(first["participants"], [{"person_id": 2, "primary": True}])
        self.assertRegex(first["update_time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertIn("attendees", self.listed("include_fields=attendees")["data"][0])
        log = [e for e in self.requests_log() if e["path"] == "/api/v2/activities"]
        self.assertEqual([e["token_cost"] for e in log], [10, 10])
        self.assertEqual([e["violations"] for e in log], [[], []])
        self.request("DELETE", "/api/v2/activities/1")
        self.assertEqual(self.ids(), [2])

    def test_filters(self):
        chat = self.add(participants=[{"person_id": 3, "primary": True}], org_id=1, owner_id=2)
        other = self.add(participants=[{"person_id": 1, "primary": False}, {"person_id": 3, "primary": True}])
        open_task = self.add(participants=[{"person_id": 3, "primary": True}], done=False)
        self.assertEqual(self.ids("person_id=3"), [chat, other, open_task])
        self.assertEqual(self.ids("person_id=3&done=true"), [chat, other])
        self.assertEqual(self.ids("person_id=1"), [2])
        self.assertEqual(self.ids("done=false"), [1, 2, open_task])
        self.assertEqual(self.ids("org_id=1&done=true"), [chat])
        self.assertEqual(self.ids("owner_id=2"), [chat])
        self.assertEqual(self.ids("deal_id=1"), [1])
        self.assertEqual(self.ids("ids=2,%d,999" % other), [2, other])
        self.assertEqual(self.ids("person_id=999"), [])

    def test_updated_since_until_and_sorting(self):
        now = self.control("GET", "/_sim/clock")["now"]
        self.assertEqual(self.ids("updated_since=" + now), [])
        fresh = self.add(due_date="2026-01-01")
        self.request("PATCH", "/api/v2/activities/1", json_body={"note": "changed"})
        self.assertEqual(self.ids("updated_since=" + now), [1, fresh])
        self.assertEqual(self.ids("updated_until=" + now), [2])
        self.assertEqual(self.ids("sort_by=due_date"), [fresh, 1, 2])
        self.assertEqual(self.ids("sort_by=due_date&sort_direction=desc"), [2, 1, fresh])
        self.assertEqual(self.ids("sort_by=id&sort_direction=desc"), [fresh, 2, 1])

    def test_cursor_pages_until_null(self):
        made = [self.add(participants=[{"person_id": 3, "primary": True}]) for _ in range(7)]
        for sort in ("sort_by=id", "sort_by=update_time", "sort_by=due_date&sort_direction=desc"):
            seen, cursor, pages = [], None, 0
            while pages < 10:
                body = self.listed("person_id=3&limit=3&" + sort + ("&cursor=" + cursor if cursor else ""))
                seen += [a["id"] for a in body["data"]]
                cursor = body["additional_data"]["next_cursor"]
                pages += 1
                if cursor is None:
                    break
            self.assertEqual(sorted(seen), made, sort)
            self.assertEqual(len(seen), 7, sort)
            self.assertEqual(pages, 3, sort)

    def test_validation(self):
        for query in ("limit=501", "limit=0", "done=1", "done=yes", "person_id=abc", "sort_by=subject",
                      "sort_direction=up", "updated_since=2026-01-01", "updated_since=2026-01-01T00:00:00.5Z",
                      "ids=1,x", "include_fields=notes", "cursor=%%%", "ids=" + ",".join(str(i) for i in range(101))):
            answer = self.request("GET", "/api/v2/activities?" + query)
            self.assertEqual(answer.status, 400, query)
            self.assertEqual(answer.json["code"], "ERR_SCHEMA_VALIDATION_FAILED", query)
        cursor = self.listed("limit=1")["additional_data"]["next_cursor"]
        self.assertEqual(self.request("GET", "/api/v2/activities?sort_by=update_time&cursor=" + cursor).status, 400)
        self.assertEqual(self.request("GET", "/api/v2/activities?filter_id=3").status, 404)
        self.assertEqual(self.request("GET", "/api/v2/activities?limit=500").status, 200)

    def test_fault_after_processing_still_creates_the_activity(self):
        self.control("POST", "/_sim/faults", {"fault_phase": "after", "drop_rate": 1.0})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.request("POST", "/api/v2/activities", json_body={"subject": "lost", "note": "<p>m</p>"})
        self.control("POST", "/_sim/faults", {"drop_rate": 0.0})
        notes = [a["note"] for a in self.listed("done=false")["data"]]
        self.assertIn("<p>m</p>", notes)


class AuthTests(SimulatorTestCase):
    def test_missing_and_wrong_token_are_401(self):
        for headers in ({}, {"x-api-token": "nope"}, {"Authorization": "Bearer nope"}):
            answer = self.request("GET", "/api/v1/users/me", headers=headers, token=None)
            self.assertEqual(answer.status, 401)
            self.assert_conforms(answer, "GET /api/v1/users/me")
            self.assertEqual(answer.json["errorCode"], 401)
            self.assertFalse(answer.json["success"])
        malformed = self.request("GET", "/api/v1/users/me", headers={"Authorization": "Token abc"}, token=None)
        self.assertEqual(malformed.status, 400)
        self.assertEqual(malformed.json["error"], "Invalid request: malformed authorization header")

    def test_query_api_token_works_but_is_flagged_and_redacted(self):
        answer = self.request("GET", "/api/v1/users/me?api_token=" + API_TOKEN, token=None)
        self.assertEqual(answer.status, 200)
        entry = self.requests_log()[0]
        self.assertEqual(entry["query"]["api_token"], ["<redacted>"])
        self.assertTrue(any("api_token" in v for v in entry["violations"]))


class OAuthTests(SimulatorTestCase):
    def basic(self, client_id=CLIENT_ID, secret=CLIENT_SECRET):
        return {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (client_id, secret)).encode()).decode()}

    def authorize(self, redirect=REDIRECT_URI, state="xyz"):
        query = urllib.parse.urlencode({"client_id": CLIENT_ID, "redirect_uri": redirect, "state": state})
        answer = self.request("GET", "/oauth/authorize?" + query, token=None)
        self.assertEqual(answer.status, 302, answer.raw)
        location = urllib.parse.urlsplit(answer.headers["location"])
        return location, dict(urllib.parse.parse_qsl(location.query))

    def exchange(self, code, redirect=REDIRECT_URI):
        return self.request("POST", "/oauth/token", headers=self.basic(), token=None,
                            form={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect})

    def test_code_exchange_refresh_and_bearer_calls(self):
        location, params = self.authorize(redirect="http://127.0.0.1:53682/callback")
        self.assertEqual((location.port, location.path, params["state"]), (53682, "/callback", "xyz"))
        tokens = self.exchange(params["code"], "http://127.0.0.1:53682/callback")
        self.assertEqual(tokens.status, 200, tokens.raw)
        body = tokens.json
        self.assertEqual(set(body), {"access_token", "token_type", "refresh_token", "scope", "expires_in", "api_domain"})
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["api_domain"], "http://127.0.0.1:%d" % self.port)
        self.assertIn("phone-integration", body["scope"].split(","))
        bearer = {"Authorization": "Bearer " + body["access_token"]}
        self.assertEqual(self.request("GET", "/api/v1/users/me", headers=bearer, token=None).status, 200)
        self.assertEqual(self.exchange(params["code"], "http://127.0.0.1:53682/callback").json["error"], "invalid_grant")
        self.control("POST", "/_sim/oauth/expire-access-tokens")
        expired = self.request("GET", "/api/v1/users/me", headers=bearer, token=None)
        self.assertEqual(expired.status, 401)
        self.assertEqual(expired.json["error"], "Invalid token: access_token is invalid")
        refreshed = self.request("POST", "/oauth/token", headers=self.basic(), token=None,
                                 form={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
        self.assertEqual(refreshed.status, 200, refreshed.raw)
        self.assertEqual(refreshed.json["refresh_token"], body["refresh_token"])
        bearer = {"Authorization": "Bearer " + refreshed.json["access_token"]}
        self.assertEqual(self.request("GET", "/api/v2/persons/1", headers=bearer, token=None).status, 200)
        entry = self.requests_log()[-1]
        self.assertEqual(entry["headers"]["authorization"], "<redacted>")
        self.assertEqual(entry["auth"], "oauth")

    def test_invalid_grant_fault_and_revoked_refresh_tokens(self):
        code = self.control("POST", "/_sim/oauth/code", {"redirect_uri": REDIRECT_URI, "state": "s"})["code"]
        tokens = self.exchange(code).json
        refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
        self.control("POST", "/_sim/faults", {"invalid_grant": True})
        failed = self.request("POST", "/oauth/token", headers=self.basic(), token=None, form=refresh)
        self.assertEqual(failed.status, 400)
        self.assertEqual(failed.json["error"], "invalid_grant")
        self.assertEqual(failed.json["error_description"], "Invalid grant: refresh_token is invalid")
        self.control("POST", "/_sim/faults", {})
        self.assertEqual(self.request("POST", "/oauth/token", headers=self.basic(), token=None,
                                      form=refresh).status, 200)
        self.control("POST", "/_sim/oauth/revoke-refresh-tokens")
        self.assertEqual(self.request("POST", "/oauth/token", headers=self.basic(), token=None,
                                      form=refresh).json["error"], "invalid_grant")

    def test_token_endpoint_errors(self):
        cases = [
            (self.basic(), {"code": "x"}, "Missing parameter: grant_type"),
            (self.basic(), {"grant_type": "password"}, "Unsupported grant type: grant_type is invalid"),
            (self.basic(), {"grant_type": "authorization_code", "code": "nope", "redirect_uri": REDIRECT_URI},
             "Invalid grant: authorization_code is invalid"),
            (self.basic(secret="wrong"), {"grant_type": "refresh_token", "refresh_token": "x"},
             "Invalid client: client is invalid"),
            ({}, {"grant_type": "refresh_token", "refresh_token": "x"},
             "Invalid client: cannot retrieve client credentials"),
        ]
        for headers, form, message in cases:
            answer = self.request("POST", "/oauth/token", headers=headers, token=None, form=form)
            self.assertEqual(answer.status, 400, form)
            self.assertEqual(answer.json["error_description"], message)
        code = self.control("POST", "/_sim/oauth/code", {"redirect_uri": REDIRECT_URI})["code"]
        self.assertEqual(self.exchange(code, "http://127.0.0.1/other").json["error_description"],
                         "Invalid request: redirect_uri is invalid")
        code = self.control("POST", "/_sim/oauth/code", {"redirect_uri": REDIRECT_URI})["code"]
        self.control("POST", "/_sim/clock", {"advance": 301})
        self.assertEqual(self.exchange(code).json["error_description"], "Invalid grant: authorization_code has expired")
        json_body = self.request("POST", "/oauth/token", headers=self.basic(), token=None,
                                 json_body={"grant_type": "refresh_token"})
        self.assertEqual(json_body.status, 400)

    def test_authorize_rejects_unregistered_redirect_and_can_deny(self):
        query = urllib.parse.urlencode({"client_id": CLIENT_ID, "redirect_uri": "https://evil.example/cb"})
        self.assertEqual(self.request("GET", "/oauth/authorize?" + query, token=None).status, 400)
        self.control("POST", "/_sim/faults", {"authorize_deny": True})
        _, params = self.authorize()
        self.assertEqual(params, {"error": "user_denied", "state": "xyz"})

    def test_revoke_refresh_token_kills_its_access_tokens(self):
        code = self.control("POST", "/_sim/oauth/code", {"redirect_uri": REDIRECT_URI})["code"]
        tokens = self.exchange(code).json
        revoked = self.request("POST", "/oauth/revoke", headers=self.basic(), token=None,
                               form={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"})
        self.assertEqual(revoked.status, 200)
        bearer = {"Authorization": "Bearer " + tokens["access_token"]}
        self.assertEqual(self.request("GET", "/api/v1/users/me", headers=bearer, token=None).status, 401)

    def test_scope_mismatch_is_403(self):
        self.control("POST", "/_sim/reset")
        sim = self.server.sim
        with sim.lock:
            sim.store.oauth_clients[CLIENT_ID]["scope"] = "base"
        code = self.control("POST", "/_sim/oauth/code", {"redirect_uri": REDIRECT_URI})["code"]
        tokens = self.exchange(code).json
        bearer = {"Authorization": "Bearer " + tokens["access_token"]}
        self.assertEqual(self.request("GET", "/api/v1/users/me", headers=bearer, token=None).status, 200)
        answer = self.request("POST", "/api/v1/callLogs", headers=bearer, token=None, json_body=self.call_log_body())
        self.assertEqual(answer.status, 403)
        self.assertEqual(answer.json["error"], "Scope and URL mismatch")


class RateLimitTests(SimulatorTestCase):
    def test_headers_and_token_costs(self):
        answer = self.request("POST", "/api/v1/callLogs", json_body=self.call_log_body())
        h = answer.headers
        self.assertEqual(h["x-ratelimit-limit"], "10000")
        self.assertEqual(h["x-daily-ratelimit-token-limit"], "90000")
        self.assertEqual(h["x-daily-ratelimit-token-remaining"], "89990")
        self.assertIn("x-ratelimit-remaining", h)
        self.assertIn("x-ratelimit-reset", h)
        self.assertIn("x-daily-requests-left", h)
        get = self.request("GET", "/api/v2/persons/1")
        self.assertNotIn("x-daily-requests-left", get.headers)
        self.assertEqual(get.headers["x-daily-ratelimit-token-remaining"], "89989")
        state = self.control("GET", "/_sim/state")
        self.assertEqual(state["tokens_spent"], 11)
        self.assertEqual(state["tokens_by_endpoint"], {"POST /api/v1/callLogs": 10, "GET /api/v2/persons/{id}": 1})
        self.assertEqual([e["token_cost"] for e in self.requests_log()], [10, 1])

    def test_burst_limit_gives_429_with_retry_after(self):
        self.control("POST", "/_sim/config", {"burst_limit_api_token": 3})
        self.control("POST", "/_sim/clock", {"freeze": True})
        statuses = [self.request("GET", "/api/v1/users/me") for _ in range(4)]
        self.assertEqual([a.status for a in statuses[:3]], [200, 200, 200])
        self.assertEqual(statuses[2].headers["x-ratelimit-remaining"], "0")
        self.assertEqual(statuses[3].status, 429)
        self.assertIn(statuses[3].headers["retry-after"], ("1", "2"))
        self.assertFalse(statuses[3].json["success"])
        self.assertEqual(self.requests_log()[3]["rate_limited"], "burst")
        self.control("POST", "/_sim/clock", {"advance": 2})
        self.assertEqual(self.request("GET", "/api/v1/users/me").status, 200)

    def test_exhausted_daily_budget_is_429_until_reset(self):
        self.control("POST", "/_sim/faults", {"daily_budget": 100, "daily_used": 95})
        self.assertEqual(self.request("GET", "/api/v2/persons/1").status, 200)
        blocked = self.request("POST", "/api/v1/callLogs", json_body=self.call_log_body())
        self.assertEqual(blocked.status, 429)
        self.assertGreater(int(blocked.headers["retry-after"]), 0)
        self.assertEqual(blocked.headers["x-daily-ratelimit-token-remaining"], "4")
        for _ in range(3):
            self.assertEqual(self.request("GET", "/api/v1/activityTypes").status, 429)
        self.assertEqual(self.control("GET", "/_sim/state")["call_logs"], [])
        self.control("POST", "/_sim/reset-budget")
        self.assertEqual(self.request("POST", "/api/v1/callLogs", json_body=self.call_log_body()).status, 200)

    def test_budget_resets_when_the_utc_day_turns(self):
        self.control("POST", "/_sim/faults", {"daily_budget": 10, "daily_used": 10})
        self.assertEqual(self.request("GET", "/api/v2/persons/1").status, 429)
        self.control("POST", "/_sim/clock", {"advance": 86400})
        self.assertEqual(self.request("GET", "/api/v2/persons/1").status, 200)


class FaultTests(SimulatorTestCase):
    def test_burst_429_fault(self):
        self.control("POST", "/_sim/faults", {"burst_429": 2, "retry_after": 3})
        answers = [self.request("GET", "/api/v1/users/me") for _ in range(3)]
        self.assertEqual([a.status for a in answers], [429, 429, 200])
        self.assertEqual(answers[0].headers["retry-after"], "3")
        self.assertEqual([e["fault"] for e in self.requests_log()], ["429", "429", None])
        self.assertEqual(self.control("GET", "/_sim/faults")["burst_429_left"], 0)

    def test_error_rate_gives_5xx_without_processing(self):
        self.control("POST", "/_sim/faults", {"error_rate": 1.0, "error_statuses": [503], "random_seed": 1})
        answer = self.request("POST", "/api/v1/callLogs", json_body=self.call_log_body())
        self.assertEqual(answer.status, 503)
        self.assertEqual(self.control("GET", "/_sim/state")["call_logs"], [])
        self.assertEqual(self.requests_log()[0]["fault"], "5xx")
        self.control("POST", "/_sim/faults", {"error_rate": 1.0, "error_statuses": [500]})
        answer = self.request("GET", "/api/v1/users/me")
        self.assertEqual(answer.status, 500)
        self.assertEqual(answer.json["success"], False)

    def test_error_after_processing_leaves_the_write_done(self):
        self.control("POST", "/_sim/faults", {"error_rate": 1.0, "error_statuses": [502], "fault_phase": "after"})
        self.assertEqual(self.request("POST", "/api/v1/callLogs", json_body=self.call_log_body()).status, 502)
        self.assertEqual(len(self.control("GET", "/_sim/state")["call_logs"]), 1)

    def test_drop_closes_the_connection_without_answer(self):
        self.control("POST", "/_sim/faults", {"drop_rate": 1.0})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.request("GET", "/api/v1/users/me")
        self.assertEqual(self.requests_log()[0]["fault"], "drop")
        self.assertIsNone(self.requests_log()[0]["status"])
        self.assertEqual(self.request("GET", "/_sim/faults", token=None).status, 200)

    def test_slow_answers_are_marked(self):
        self.control("POST", "/_sim/faults", {"slow_rate": 1.0, "slow_ms": 50})
        self.assertEqual(self.request("GET", "/api/v1/users/me").status, 200)
        self.assertEqual(self.requests_log()[0]["fault"], "slow")

    def test_faults_never_touch_oauth_or_control(self):
        self.control("POST", "/_sim/faults", {"error_rate": 1.0, "drop_rate": 1.0, "burst_429": 5})
        code = self.control("POST", "/_sim/oauth/code", {"redirect_uri": REDIRECT_URI})["code"]
        basic = {"Authorization": "Basic " + base64.b64encode(b"ringlog-test-client:ringlog-test-secret").decode()}
        answer = self.request("POST", "/oauth/token", headers=basic, token=None,
                              form={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI})
        self.assertEqual(answer.status, 200)

    def test_bad_fault_config_is_rejected(self):
        for body in ({"error_rate": 2}, {"bogus": 1}, {"error_statuses": [404]}, {"burst_429": -1}):
            self.assertEqual(self.request("POST", "/_sim/faults", json_body=body, token=None).status, 400, body)

    def test_seeded_error_rate_is_reproducible(self):
        def run():
            self.control("POST", "/_sim/faults", {"error_rate": 0.5, "random_seed": 42, "error_statuses": [500]})
            return [self.request("GET", "/api/v1/users/me").status for _ in range(12)]
        first = run()
        self.assertEqual(first, run())
        self.assertIn(500, first)
        self.assertIn(200, first)


class RecordingTests(SimulatorTestCase):
    def test_request_log_fields_and_clearing(self):
        self.request("POST", "/api/v1/callLogs", json_body=self.call_log_body(), headers={"X-Trace": "t1"})
        entry = self.requests_log()[0]
        self.assertEqual(set(entry) >= {"seq", "time", "method", "path", "query", "headers", "body", "status",
                                        "token_cost", "violations", "fault"}, True)
        self.assertEqual((entry["seq"], entry["method"], entry["path"], entry["status"]),
                         (1, "POST", "/api/v1/callLogs", 200))
        self.assertEqual(entry["headers"]["x-api-token"], "<redacted>")
        self.assertEqual(entry["headers"]["x-trace"], "t1")
        self.assertEqual(entry["body"]["outcome"], "connected")
        self.assertEqual(entry["violations"], [])
        self.request("GET", "/api/v2/persons?limit=5&limit=6&colour=red")
        entry = self.requests_log()[1]
        self.assertEqual(entry["query"], {"limit": ["5", "6"], "colour": ["red"]})
        self.assertEqual(len(entry["violations"]), 2)
        self.control("DELETE", "/_sim/requests")
        self.assertEqual(self.requests_log(), [])

    def test_reset_restores_the_seed(self):
        self.request("POST", "/api/v2/persons", json_body={"name": "Temp"})
        self.control("POST", "/_sim/reset")
        state = self.control("GET", "/_sim/state")
        self.assertEqual(len(state["persons"]), 21)
        self.assertEqual(state["tokens_spent"], 0)


class SchemaValidatorTests(unittest.TestCase):
    def kinds(self, value, schema, reject_unknown=True):
        return [(v.where, v.kind) for v in validate(value, schema, reject_unknown=reject_unknown)]

    def test_types_are_strict(self):
        self.assertEqual(self.kinds(5, {"type": "integer"}), [])
        self.assertEqual(self.kinds(5.0, {"type": "integer"}), [("", "type")])
        self.assertEqual(self.kinds(True, {"type": "integer"}), [("", "type")])
        self.assertEqual(self.kinds(5, {"type": "number"}), [])
        self.assertEqual(self.kinds("5", {"type": "number"}), [("", "type")])
        self.assertEqual(self.kinds(None, {"type": "string"}), [("", "type")])
        self.assertEqual(self.kinds(None, {"type": "string", "nullable": True}), [])

    def test_objects_arrays_and_unknown_fields(self):
        schema = {"type": "object", "required": ["a"], "properties": {
            "a": {"type": "array", "items": {"type": "object", "properties": {"v": {"type": "string", "maxLength": 3}}}},
            "m": {"type": "object", "additionalProperties": True}}}
        self.assertEqual(self.kinds({"a": [{"v": "abcd"}], "m": {"x": 1}, "z": 1}, schema),
                         [("a[0].v", "maxLength"), ("z", "unknown")])
        self.assertEqual(self.kinds({"z": 1}, schema, reject_unknown=False), [("a", "required")])
        closed = {"type": "object", "properties": {}, "additionalProperties": False}
        self.assertEqual(self.kinds({"q": 1}, closed, reject_unknown=False), [("q", "unknown")])

    def test_enum_range_formats_and_combinators(self):
        self.assertEqual(self.kinds("x", {"type": "string", "enum": ["a"]}), [("", "enum")])
        self.assertEqual(self.kinds(501, {"type": "integer", "maximum": 500}), [("", "maximum")])
        self.assertEqual(self.kinds(0, {"type": "integer", "minimum": 1}), [("", "minimum")])
        self.assertEqual(self.kinds("2026-02-30", {"type": "string", "format": "date"}), [("", "format")])
        self.assertEqual(self.kinds("2026-01-05T08:00:00Z", {"type": "string", "format": "date-time"}), [])
        self.assertEqual(self.kinds("2026-01-05 08:00:00", {"type": "string", "format": "date-time"}), [("", "format")])
        self.assertEqual(self.kinds("2026-01-05 08:00:00", {"type": "string", "format": "pipedrive-datetime"}), [])
        self.assertEqual(self.kinds("nope", {"type": "string", "format": "uuid"}), [("", "format")])
        either = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
        self.assertEqual(self.kinds(1, either), [])
        self.assertEqual(self.kinds(True, either), [("", "oneOf")])
        self.assertEqual(self.kinds(1.5, {"anyOf": [{"type": "number"}, {"type": "integer"}]}), [])


class CommandLineTests(unittest.TestCase):
    def test_port_file_listen_line_and_sigterm(self):
        with tempfile.TemporaryDirectory() as tmp:
            port_file = os.path.join(tmp, "port")
            proc = subprocess.Popen([sys.executable, os.path.join(HERE, "pdsim.py"), "--port", "0",
                                     "--port-file", port_file], stderr=subprocess.PIPE, text=True)
            try:
                line = proc.stderr.readline()
                self.assertRegex(line, r"^pdsim listening on http://127\.0\.0\.1:\d+$")
                with open(port_file) as f:
                    port = int(f.read().strip())
                self.assertTrue(line.strip().endswith(":%d" % port))
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", "/api/v1/users/me", headers={"x-api-token": API_TOKEN})
                first = conn.getresponse()
                first.read()
                conn.request("GET", "/api/v1/activityTypes", headers={"x-api-token": API_TOKEN})
                second = conn.getresponse()
                second.read()
                conn.close()
                self.assertEqual((first.status, second.status), (200, 200))
            finally:
                proc.send_signal(signal.SIGTERM)
                code = proc.wait(timeout=30)
                proc.stderr.close()
            self.assertEqual(code, 0)

    def test_refuses_non_loopback_host(self):
        result = subprocess.run([sys.executable, os.path.join(HERE, "pdsim.py"), "--host", "0.0.0.0"],
                                capture_output=True, text=True, timeout=30)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("loopback", result.stderr)


class SeedGeneratorTests(unittest.TestCase):
    def test_make_seed_is_deterministic_and_loadable(self):
        cmd = [sys.executable, os.path.join(HERE, "make_seed.py"), "--persons", "300", "--seed", "7"]
        first = subprocess.run(cmd, capture_output=True, check=True, timeout=60).stdout
        second = subprocess.run(cmd, capture_output=True, check=True, timeout=60).stdout
        self.assertEqual(first, second)
        seed = json.loads(first)
        self.assertEqual(len(seed["persons"]), 300)
        sim = pdsim.Simulator(seed)
        self.assertEqual(len(sim.store.persons), 300)


if __name__ == "__main__":
    unittest.main()
