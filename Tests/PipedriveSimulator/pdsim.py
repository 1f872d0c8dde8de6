#!/usr/bin/env python3
"""pdsim: a Pipedrive API simulator for ringlog's tests and demo.

    python3 Tests/PipedriveSimulator/pdsim.py --port 0 --port-file PATH [--seed FILE] [--host 127.0.0.1]

Serves the v1/v2 endpoints ringlog uses, Pipedrive's OAuth server and a
control API under /_sim/ (see README.md). Standard library only.
"""

import argparse
import base64
import email.parser
import email.policy
import ipaddress
import json
import os
import secrets
import signal
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import sim_api  # noqa: E402
import sim_render as render  # noqa: E402
from schema_validator import Violation, validate  # noqa: E402
from sim_limits import (PLAN_BURST, PLAN_MULTIPLIER, SEARCH_BURST, BurstLimiter, DailyBudget,  # noqa: E402
                        FaultConfigError, FaultInjector, parse_fault_config)
from sim_store import SeedError, Store, load_seed  # noqa: E402
from sim_time import Clock, record_time, v2_time  # noqa: E402

DEFAULT_SEED = os.path.join(HERE, "seed.json")
SPEC_FILE = os.path.join(HERE, "spec-subset.json")
AUTH_CODE_TTL = 300
REFRESH_TOKEN_IDLE_TTL = 60 * 86400
MAX_BODY = 64 * 1024 * 1024
OAUTH_FORM_KEYS = {"grant_type", "code", "redirect_uri", "refresh_token", "client_id", "client_secret"}
REDACTED = "<redacted>"

CONFIG_DEFAULTS = {
    "search_mode": "digits",
    "burst_limit_api_token": None,
    "burst_limit_oauth": None,
    "burst_limit_search": SEARCH_BURST,
    "access_token_ttl": 3599,
    "rotate_refresh_tokens": False,
    "budget_reset_utc": "00:00",
    "daily_requests_limit": 10000,
    "reject_v1_query_overflow": False,
}


def load_spec(path=SPEC_FILE):
    with open(path, "r", encoding="utf-8") as f:
        spec = json.load(f)
    return {e["key"]: e for e in spec["endpoints"]}


class Endpoint:
    """A served (method, path template) with its spec entry."""

    def __init__(self, spec):
        self.spec = spec
        self.key = spec["key"]
        self.method = spec["method"]
        self.segments = spec["path"].strip("/").split("/")
        self.api = spec["api"]

    def match(self, segments):
        if len(segments) != len(self.segments):
            return None
        params = {}
        for mine, theirs in zip(self.segments, segments):
            if mine.startswith("{"):
                params[mine[1:-1]] = urllib.parse.unquote(theirs)
            elif mine != theirs:
                return None
        return params

    def literal_count(self):
        return sum(1 for s in self.segments if not s.startswith("{"))


def coerce_query(text, schema, api):
    """Converts a query-string value to the schema's type; returns (value, problem)."""
    kind = schema.get("type", "string")
    if kind == "integer":
        try:
            if text.strip() != text or not text.lstrip("-").isdigit():
                raise ValueError
            return int(text), None
        except ValueError:
            return None, "must be an integer"
    if kind == "number":
        try:
            return float(text), None
        except ValueError:
            return None, "must be a number"
    if kind == "boolean":
        truthy = ("true",) if api == "v2" else ("true", "1")
        falsy = ("false",) if api == "v2" else ("false", "0")
        if text in truthy:
            return True, None
        if text in falsy:
            return False, None
        return None, "must be a boolean (%s)" % "/".join(truthy + falsy)
    return text, None


class ValidationOutcome:
    """Violations found in one request; `rejected` ones make it a 400."""

    def __init__(self):
        self.items = []

    def add(self, violation, reject=True):
        self.items.append((violation, reject))

    def rejected(self):
        return [v for v, r in self.items if r]

    def strings(self):
        return [str(v) for v, _ in self.items]


def joi_message(v):
    """Pipedrive v1 call-log style (Joi) message for one violation."""
    label = v.where.split(".", 1)[1] if "." in v.where else v.where
    if v.kind == "required":
        return '"%s" is required.' % label
    if v.kind == "unknown":
        return '"%s" is not allowed' % label
    return '"%s" %s' % (label, v.message)


def loopback_host(host):
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def redirect_uri_allowed(registered, given):
    """Exact match, except that loopback redirect URIs may use any port (RFC 8252 §7.3)."""
    if given in registered:
        return True
    try:
        g = urllib.parse.urlsplit(given)
    except ValueError:
        return False
    for r in registered:
        r = urllib.parse.urlsplit(r)
        if (r.scheme, r.hostname, r.path) == (g.scheme, g.hostname, g.path) and loopback_host(g.hostname or ""):
            return True
    return False


class Response(Exception):
    """An HTTP answer; raised to short-circuit request processing."""

    def __init__(self, status, body=None, headers=None, content_type="application/json", raw=None):
        Exception.__init__(self, status)
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.content_type = content_type
        self.raw = raw

    def payload(self):
        if self.raw is not None:
            return self.raw if isinstance(self.raw, bytes) else self.raw.encode("utf-8")
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


class Simulator:
    """All simulator state plus request processing; independent of the HTTP layer."""

    def __init__(self, seed, spec=None):
        self.seed = seed
        self.spec = spec or load_spec()
        self.endpoints = sorted((Endpoint(e) for e in self.spec.values()),
                                key=lambda e: -e.literal_count())
        self.lock = threading.RLock()
        self.clock = Clock()
        self.base_url = "http://127.0.0.1"
        self.reset()

    # ------------------------------------------------------------ state

    def reset(self):
        with self.lock:
            self.clock = Clock()
            self.store = Store(self.seed, self.clock.now())
            self.config = dict(CONFIG_DEFAULTS)
            self.faults = FaultInjector()
            self.limiter = BurstLimiter()
            self.budget = DailyBudget(self.default_budget(), self.reset_offset())
            self.requests = []
            self.seq = 0
            self.tokens_spent = 0
            self.tokens_by_endpoint = {}
            self.codes = {}
            self.access_tokens = {}
            self.refresh_tokens = {}

    def default_budget(self):
        plan = self.store.company["plan"]
        seats = sum(1 for u in self.store.users.values() if u.get("active_flag", True))
        return int(self.seed.get("daily_budget") or 30000 * PLAN_MULTIPLIER.get(plan, 1) * max(1, seats))

    def reset_offset(self):
        hours, minutes = self.config["budget_reset_utc"].split(":") if hasattr(self, "config") else ("0", "0")
        return int(hours) * 3600 + int(minutes) * 60

    def burst_limit(self, auth_kind, search):
        if search:
            return self.config["burst_limit_search"]
        api_token_limit, oauth_limit = PLAN_BURST.get(self.store.company["plan"], PLAN_BURST["lite"])
        if auth_kind == "oauth":
            return self.config["burst_limit_oauth"] or oauth_limit
        return self.config["burst_limit_api_token"] or api_token_limit

    # ------------------------------------------------------------ recording

    def record(self, entry):
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.requests.append(entry)

    # ------------------------------------------------------------ API pipeline

    def find_endpoint(self, method, path):
        segments = path.strip("/").split("/")
        if len(segments) >= 1 and segments[0] == "v1":
            segments = ["api"] + segments
        path_known = False
        for endpoint in self.endpoints:
            params = endpoint.match(segments)
            if params is None:
                continue
            path_known = True
            if endpoint.method == method:
                return endpoint, params, True
        return None, None, path_known

    def authenticate(self, headers, query, outcome):
        """Returns (auth_kind, user_id, principal, scopes) or raises a Response."""
        token = headers.get("x-api-token")
        authorization = headers.get("authorization")
        if token is None and "api_token" in query:
            token = query["api_token"][-1]
            outcome.add(Violation("query.api_token", "deprecated",
                                  "API token sent in the query string; send the x-api-token header"), False)
        if token is not None:
            user_id = self.store.api_tokens.get(token)
            if user_id is None or not self.store.users.get(user_id, {}).get("active_flag", True):
                raise self.unauthorized("unauthorized access")
            return "api_token", user_id, "api_token:" + token, None
        if authorization is not None:
            scheme, _, value = authorization.partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise Response(400, sim_api.error_body("Invalid request: malformed authorization header"))
            record = self.access_tokens.get(value.strip())
            if record is None or record["revoked"] or record["expires_at"] <= self.clock.now():
                raise self.unauthorized("Invalid token: access_token is invalid")
            return "oauth", record["user_id"], "oauth:%s:%s" % (record["client_id"], record["user_id"]), record["scope"]
        raise self.unauthorized("unauthorized access")

    @staticmethod
    def unauthorized(message):
        return Response(401, {"success": False, "error": message, "errorCode": 401,
                              "error_info": "Please check developers.pipedrive.com"},
                        headers={"x-401-by-gw": "true"})

    def validate_request(self, endpoint, path_params, query, content_type, raw_body, outcome):
        """Validates parameters and body against the spec; returns (params, body, files)."""
        spec = endpoint.spec
        api = endpoint.api
        params = {}
        known = set()
        for p in spec["parameters"]:
            if p["in"] == "header":
                continue
            name = p["name"]
            known.add(name)
            where = "%s.%s" % ("path" if p["in"] == "path" else "query", name)
            raw = [path_params[name]] if p["in"] == "path" else query.get(name)
            if raw is None or raw == [""] and p["in"] == "query" and not p["required"]:
                if p["required"] and raw is None:
                    outcome.add(Violation(where, "required", "is required"))
                continue
            if len(raw) > 1:
                outcome.add(Violation(where, "repeated", "given more than once; the last value is used"), False)
            text = raw[-1]
            schema = p["schema"]
            if p.get("comma_separated"):
                values = []
                for part in [x.strip() for x in text.split(",")]:
                    value, problem = coerce_query(part, schema, api)
                    if problem:
                        outcome.add(Violation(where, "type", problem))
                        continue
                    for v in validate(value, schema, where):
                        outcome.add(v)
                    values.append(value)
                params[name] = values
                continue
            value, problem = coerce_query(text, schema, api)
            if problem:
                outcome.add(Violation(where, "type", problem))
                continue
            for v in validate(value, schema, where):
                lenient = api == "v1" and v.kind == "maximum" and not self.config["reject_v1_query_overflow"]
                outcome.add(v, not lenient)
            if name == "updated_since" or name == "updated_until":
                if api == "v2" and "." in text:
                    outcome.add(Violation(where, "format", "must be a valid RFC 3339 date-time without fractional seconds"))
            params[name] = value
        for name in query:
            if name not in known and name != "api_token":
                outcome.add(Violation("query." + name, "unknown", "is not a known parameter"), False)
        body, files = None, None
        request_body = spec.get("request_body")
        if request_body is None:
            if raw_body:
                outcome.add(Violation("body", "unexpected", "this endpoint takes no request body"), False)
            return params, None, None
        expected = request_body["content_type"]
        mime = (content_type or "").split(";")[0].strip().lower()
        if expected == "application/json":
            if mime != "application/json":
                outcome.add(Violation("body", "content_type", "must be sent as application/json, not %s" % (mime or "nothing")))
                return params, None, None
            try:
                body = json.loads(raw_body.decode("utf-8")) if raw_body else None
            except (ValueError, UnicodeDecodeError):
                outcome.add(Violation("body", "json", "is not valid JSON"))
                return params, None, None
            if body is None:
                body = {}
            if not isinstance(body, dict):
                outcome.add(Violation("body", "type", "must be a JSON object"))
                return params, body, None
            for v in validate(body, request_body["schema"], "body", reject_unknown=True):
                outcome.add(v)
            return params, body, None
        if expected == "multipart/form-data":
            if mime != "multipart/form-data":
                outcome.add(Violation("body", "content_type", "must be sent as multipart/form-data, not %s" % (mime or "nothing")))
                return params, None, None
            fields, files = parse_multipart(content_type, raw_body)
            for name in request_body["schema"].get("required", []):
                if name not in files and name not in fields:
                    outcome.add(Violation("body." + name, "required", "is required"))
            for name in list(fields) + list(files):
                if name not in request_body["schema"].get("properties", {}):
                    outcome.add(Violation("body." + name, "unknown", "is not allowed"))
            if "file" in fields and "file" not in files:
                outcome.add(Violation("body.file", "type", "must be a file part (with a filename)"))
            body = dict(fields)
            body.update({k: {key: v[key] for key in ("filename", "content_type", "size")}
                         for k, v in files.items()})
            return params, body, files
        return params, None, None

    def rate_headers(self, auth_kind, principal, burst, method, user_id):
        limit, remaining, reset = burst
        headers = {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-reset": str(reset),
            "x-daily-ratelimit-token-limit": str(self.budget.limit),
            "x-daily-ratelimit-token-remaining": str(self.budget.remaining()),
        }
        if auth_kind == "api_token" and method in ("POST", "PUT"):
            left = self.config["daily_requests_limit"] - self.budget.requests_today[principal]
            headers["x-daily-requests-left"] = str(max(0, left))
        return headers

    def error_response(self, endpoint, status, message, code=None):
        if status in (502, 503, 504):
            titles = {502: "502 Bad Gateway", 503: "503 Service Temporarily Unavailable", 504: "504 Gateway Time-out"}
            html = "<html><head><title>%s</title></head><body><center><h1>%s</h1></center></body></html>\n" % (
                titles[status], titles[status])
            return Response(status, raw=html, content_type="text/html")
        return Response(status, sim_api.error_body(message, code))

    def handle_api(self, method, path, query, headers, raw_body, entry):
        """Processes an /api/ (or /v1/) request. Returns a Response or "drop"."""
        endpoint, path_params, path_known = self.find_endpoint(method, path)
        outcome = ValidationOutcome()
        entry["violations"] = outcome.strings()
        if endpoint is None:
            if path_known:
                return Response(405, sim_api.error_body("Method not allowed"))
            return Response(404, sim_api.error_body("Unknown method ."))
        entry["endpoint"] = endpoint.key
        faults = self.faults
        with self.lock:
            drop = faults.config["fault_phase"] == "before" and faults.roll("drop_rate")
            slow = faults.roll("slow_rate")
        if drop:
            entry["fault"] = "drop"
            return "drop"
        if slow:
            entry["fault"] = "slow"
            time.sleep(faults.config["slow_ms"] / 1000.0)
        with self.lock:
            now = self.clock.now()
            try:
                auth_kind, user_id, principal, scopes = self.authenticate(headers, query, outcome)
            except Response as response:
                entry["violations"] = outcome.strings()
                return response
            entry["auth"] = auth_kind
            entry["user_id"] = user_id
            required_scopes = endpoint.spec.get("scopes") or []
            if scopes is not None and required_scopes:
                granted = set(scopes.split(","))
                if not granted.intersection(required_scopes):
                    entry["violations"] = outcome.strings()
                    return Response(403, sim_api.error_body("Scope and URL mismatch"))
            search = endpoint.key.endswith("/search")
            bucket = principal + (":search" if search else "")
            limit = self.burst_limit(auth_kind, search)
            self.budget.roll(now)
            if faults.take_burst():
                entry["fault"] = "429"
                entry["rate_limited"] = "injected"
                window = self.limiter.windows[bucket]
                headers_out = self.rate_headers(auth_kind, principal, (limit, max(0, limit - len(window)), faults.config["retry_after"] or 1), method, user_id)
                headers_out["Retry-After"] = str(faults.config["retry_after"])
                entry["violations"] = outcome.strings()
                return Response(429, sim_api.error_body("Request over limit"), headers_out)
            allowed, remaining, reset = self.limiter.check(bucket, limit, now)
            if not allowed:
                entry["rate_limited"] = "burst"
                headers_out = self.rate_headers(auth_kind, principal, (limit, 0, reset), method, user_id)
                headers_out["Retry-After"] = str(reset)
                entry["violations"] = outcome.strings()
                return Response(429, sim_api.error_body("Request over limit"), headers_out)
            cost = int(endpoint.spec.get("token_cost") or 0)
            if self.budget.used + cost > self.budget.limit:
                entry["rate_limited"] = "daily"
                wait = self.budget.seconds_until_reset(now)
                headers_out = self.rate_headers(auth_kind, principal, (limit, remaining, reset), method, user_id)
                headers_out["Retry-After"] = str(wait)
                entry["violations"] = outcome.strings()
                return Response(429, sim_api.error_body("Daily API token budget exhausted"), headers_out)
            burst = (limit, remaining, reset)
            if faults.config["fault_phase"] == "before" and faults.roll("error_rate"):
                entry["fault"] = "5xx"
                status = faults.error_status()
                response = self.error_response(endpoint, status, "An internal server error occurred")
                response.headers.update(self.rate_headers(auth_kind, principal, burst, method, user_id))
                entry["violations"] = outcome.strings()
                return response
            self.charge(endpoint, cost, auth_kind, principal, method)
            entry["token_cost"] = cost
            content_type = headers.get("content-type", "")
            params, body, files = self.validate_request(endpoint, path_params, query, content_type, raw_body, outcome)
            entry["violations"] = outcome.strings()
            if body is not None and entry.get("body") is None:
                entry["body"] = body
            rejected = outcome.rejected()
            if rejected:
                if endpoint.api == "v2":
                    message = "Validation failed: " + "; ".join(
                        "%s: %s" % (v.where.split(".", 1)[-1], v.message) for v in rejected)
                    response = Response(400, sim_api.error_body(message, "ERR_SCHEMA_VALIDATION_FAILED"))
                else:
                    response = Response(400, sim_api.error_body(joi_message(rejected[0])))
            else:
                typed_path = dict(path_params)
                for p in endpoint.spec["parameters"]:
                    if p["in"] == "path" and p["name"] in params:
                        typed_path[p["name"]] = params[p["name"]]
                ctx = sim_api.Context(now, user_id, typed_path, params, body, files, self.config)
                try:
                    status, payload = sim_api.HANDLERS[endpoint.key](self.store, ctx)
                    response = Response(status, payload)
                except sim_api.ApiError as error:
                    response = Response(error.status, sim_api.error_body(error.message, error.code))
            response.headers.update(self.rate_headers(auth_kind, principal, burst, method, user_id))
            if faults.config["fault_phase"] == "after":
                if faults.roll("drop_rate"):
                    entry["fault"] = "drop"
                    entry["processed_status"] = response.status
                    return "drop"
                if faults.roll("error_rate"):
                    entry["fault"] = "5xx"
                    entry["processed_status"] = response.status
                    failed = self.error_response(endpoint, faults.error_status(), "An internal server error occurred")
                    failed.headers.update(response.headers)
                    return failed
            return response

    def charge(self, endpoint, cost, auth_kind, principal, method):
        self.budget.used += cost
        self.tokens_spent += cost
        self.tokens_by_endpoint[endpoint.key] = self.tokens_by_endpoint.get(endpoint.key, 0) + cost
        if auth_kind == "api_token" and method in ("POST", "PUT"):
            self.budget.requests_today[principal] += 1

    # ------------------------------------------------------------ OAuth

    @staticmethod
    def oauth_error(error, description, status=400):
        return Response(status, {"success": False, "error": error, "error_description": description,
                                 "message": description})

    def client_from_request(self, headers, form):
        authorization = headers.get("authorization", "")
        client_id = client_secret = None
        if authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
                client_id, _, client_secret = decoded.partition(":")
            except (ValueError, UnicodeDecodeError):
                raise self.oauth_error("invalid_client", "Invalid client: cannot retrieve client credentials")
        elif "client_id" in form:
            client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if not client_id:
            raise self.oauth_error("invalid_client", "Invalid client: cannot retrieve client credentials")
        client = self.store.oauth_clients.get(client_id)
        if client is None or client["client_secret"] != client_secret:
            raise self.oauth_error("invalid_client", "Invalid client: client is invalid")
        return client

    def issue_tokens(self, client, user_id, scope, refresh_token=None):
        now = self.clock.now()
        access = "v1u:" + secrets.token_urlsafe(48)
        if refresh_token is None or self.config["rotate_refresh_tokens"]:
            if refresh_token is not None:
                self.refresh_tokens[refresh_token]["revoked"] = True
            refresh_token = "%d:%d:%s" % (self.store.company["id"], user_id, secrets.token_hex(20))
            self.refresh_tokens[refresh_token] = {"client_id": client["client_id"], "user_id": user_id,
                                                  "scope": scope, "revoked": False, "last_used": now}
        self.refresh_tokens[refresh_token]["last_used"] = now
        ttl = int(self.config["access_token_ttl"])
        self.access_tokens[access] = {"client_id": client["client_id"], "user_id": user_id, "scope": scope,
                                      "expires_at": now + ttl, "revoked": False,
                                      "refresh_token": refresh_token}
        return Response(200, {"access_token": access, "token_type": "Bearer", "refresh_token": refresh_token,
                              "scope": scope, "expires_in": ttl, "api_domain": self.base_url})

    def handle_oauth_token(self, headers, raw_body, entry):
        mime = headers.get("content-type", "").split(";")[0].strip().lower()
        violations = []
        if mime != "application/x-www-form-urlencoded":
            entry["violations"] = ["body: must be sent as application/x-www-form-urlencoded"]
            return self.oauth_error("invalid_request", "Invalid request: content must be application/x-www-form-urlencoded")
        form_lists = urllib.parse.parse_qs(raw_body.decode("utf-8", "replace"), keep_blank_values=True)
        form = {k: v[-1] for k, v in form_lists.items()}
        entry["body"] = form
        for key in form:
            if key not in OAUTH_FORM_KEYS:
                violations.append("body.%s: is not allowed" % key)
        if "client_secret" in form:
            violations.append("body.client_secret: client credentials belong in the Basic Authorization header")
        if "authorization" not in headers:
            violations.append("header.authorization: is required (Basic client credentials)")
        entry["violations"] = violations
        with self.lock:
            try:
                client = self.client_from_request(headers, form)
            except Response as response:
                return response
            grant = form.get("grant_type")
            if not grant:
                return self.oauth_error("invalid_request", "Missing parameter: grant_type")
            now = self.clock.now()
            if grant == "authorization_code":
                code = self.codes.get(form.get("code", ""))
                if code is None or code["used"] or code["client_id"] != client["client_id"]:
                    return self.oauth_error("invalid_grant", "Invalid grant: authorization_code is invalid")
                if now - code["created"] > AUTH_CODE_TTL:
                    return self.oauth_error("invalid_grant", "Invalid grant: authorization_code has expired")
                redirect = form.get("redirect_uri")
                if not redirect or not urllib.parse.urlsplit(redirect).scheme:
                    return self.oauth_error("invalid_request", "Invalid request: redirect_uri is not a valid URI")
                if redirect != code["redirect_uri"]:
                    return self.oauth_error("invalid_request", "Invalid request: redirect_uri is invalid")
                code["used"] = True
                return self.issue_tokens(client, code["user_id"], client["scope"])
            if grant == "refresh_token":
                token = form.get("refresh_token", "")
                record = self.refresh_tokens.get(token)
                if (self.faults.config["invalid_grant"] or record is None or record["revoked"]
                        or record["client_id"] != client["client_id"]
                        or now - record["last_used"] > REFRESH_TOKEN_IDLE_TTL):
                    if self.faults.config["invalid_grant"]:
                        entry["fault"] = "invalid_grant"
                    return self.oauth_error("invalid_grant", "Invalid grant: refresh_token is invalid")
                return self.issue_tokens(client, record["user_id"], record["scope"], token)
            return self.oauth_error("unsupported_grant_type", "Unsupported grant type: grant_type is invalid")

    def handle_oauth_authorize(self, query, entry):
        params = {k: v[-1] for k, v in query.items()}
        with self.lock:
            client = self.store.oauth_clients.get(params.get("client_id", ""))
            if client is None:
                return self.oauth_error("invalid_client", "Invalid client: client is invalid")
            redirect = params.get("redirect_uri")
            if not redirect:
                return self.oauth_error("invalid_request", "Invalid request: redirect_uri is not a valid URI")
            if not redirect_uri_allowed(client["redirect_uris"], redirect):
                return self.oauth_error("invalid_request", "Invalid request: redirect_uri is invalid")
            answer = {}
            if self.faults.config["authorize_deny"]:
                answer["error"] = "user_denied"
            else:
                answer["code"] = self.new_code(client, redirect)
            if "state" in params:
                answer["state"] = params["state"]
        separator = "&" if urllib.parse.urlsplit(redirect).query else "?"
        location = redirect + separator + urllib.parse.urlencode(answer)
        return Response(302, raw="", content_type="text/plain", headers={"Location": location})

    def new_code(self, client, redirect_uri):
        code = secrets.token_hex(20)
        self.codes[code] = {"client_id": client["client_id"], "redirect_uri": redirect_uri,
                            "user_id": client["user_id"], "created": self.clock.now(), "used": False}
        return code

    def handle_oauth_revoke(self, headers, raw_body, entry):
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(raw_body.decode("utf-8", "replace")).items()}
        entry["body"] = form
        with self.lock:
            try:
                client = self.client_from_request(headers, form)
            except Response as response:
                return response
            token = form.get("token", "")
            if token in self.refresh_tokens and self.refresh_tokens[token]["client_id"] == client["client_id"]:
                self.refresh_tokens[token]["revoked"] = True
                for record in self.access_tokens.values():
                    if record["refresh_token"] == token:
                        record["revoked"] = True
            elif token in self.access_tokens and self.access_tokens[token]["client_id"] == client["client_id"]:
                self.access_tokens[token]["revoked"] = True
        return Response(200, {"success": True})

    # ------------------------------------------------------------ control API

    def handle_control(self, method, path, query, raw_body):
        parts = path.strip("/").split("/")[1:]
        try:
            body = json.loads(raw_body.decode("utf-8")) if raw_body.strip() else {}
        except (ValueError, UnicodeDecodeError):
            return Response(400, {"error": "the body must be JSON"})
        route = "/".join(parts)
        with self.lock:
            if route == "requests" and method == "GET":
                return Response(200, list(self.requests))
            if route == "requests" and method == "DELETE":
                self.requests = []
                return Response(200, {"cleared": True})
            if route == "faults" and method == "GET":
                return Response(200, self.fault_snapshot())
            if route == "faults" and method == "POST":
                try:
                    config = parse_fault_config(body)
                except FaultConfigError as error:
                    return Response(400, {"error": str(error)})
                self.faults.configure(config)
                self.budget.limit = config["daily_budget"] if config["daily_budget"] is not None else self.default_budget()
                if config["daily_used"] is not None:
                    self.budget.used = config["daily_used"]
                return Response(200, self.fault_snapshot())
            if route == "config" and method == "GET":
                return Response(200, dict(self.config))
            if route == "config" and method == "POST":
                return self.update_config(body)
            if route == "reset-budget" and method == "POST":
                self.budget.reset()
                return Response(200, self.fault_snapshot())
            if route == "reset" and method == "POST":
                self.reset()
                return Response(200, {"reset": True})
            if route == "clock" and method == "GET":
                return Response(200, self.clock_snapshot())
            if route == "clock" and method == "POST":
                unknown = sorted(set(body) - {"advance", "freeze"})
                advance = body.get("advance", 0)
                if unknown or isinstance(advance, bool) or not isinstance(advance, (int, float)) or advance < 0:
                    return Response(400, {"error": "expected {\"advance\": seconds >= 0, \"freeze\": bool}"})
                if "freeze" in body:
                    if not isinstance(body["freeze"], bool):
                        return Response(400, {"error": "freeze must be true or false"})
                    self.clock.freeze(body["freeze"])
                self.clock.advance(advance)
                return Response(200, self.clock_snapshot())
            if route == "oauth/expire-access-tokens" and method == "POST":
                now = self.clock.now()
                for record in self.access_tokens.values():
                    record["expires_at"] = min(record["expires_at"], now)
                return Response(200, {"expired": len(self.access_tokens)})
            if route == "oauth/revoke-refresh-tokens" and method == "POST":
                for record in self.refresh_tokens.values():
                    record["revoked"] = True
                return Response(200, {"revoked": len(self.refresh_tokens)})
            if route == "oauth/code" and method == "POST":
                client_id = body.get("client_id") or next(iter(self.store.oauth_clients), None)
                client = self.store.oauth_clients.get(client_id)
                if client is None:
                    return Response(400, {"error": "unknown client_id %r" % client_id})
                redirect = body.get("redirect_uri") or (client["redirect_uris"] or [""])[0]
                return Response(200, {"code": self.new_code(client, redirect), "state": body.get("state")})
            if route == "state" and method == "GET":
                return Response(200, self.state_snapshot())
            if parts and parts[0] == "persons":
                return self.control_persons(method, parts[1:], body)
            if parts and parts[0] == "deals":
                return self.control_deals(method, parts[1:], body)
            if route == "merge-persons" and method == "POST":
                return self.merge_persons(body)
        return Response(404, {"error": "unknown control route %s %s" % (method, path)})

    def fault_snapshot(self):
        snap = self.faults.snapshot()
        snap["daily_budget"] = self.budget.limit
        snap["daily_used"] = self.budget.used
        return snap

    def clock_snapshot(self):
        now = self.clock.now()
        return {"now": v2_time(now), "epoch": now, "offset": self.clock.offset(), "frozen": self.clock.frozen()}

    def update_config(self, body):
        if not isinstance(body, dict):
            return Response(400, {"error": "the body must be a JSON object"})
        unknown = sorted(set(body) - set(CONFIG_DEFAULTS))
        if unknown:
            return Response(400, {"error": "unknown config keys: %s (known: %s)" % (", ".join(unknown), ", ".join(sorted(CONFIG_DEFAULTS)))})
        if "search_mode" in body and body["search_mode"] not in ("digits", "raw"):
            return Response(400, {"error": "search_mode must be \"digits\" or \"raw\""})
        if "budget_reset_utc" in body:
            value = body["budget_reset_utc"]
            try:
                hours, minutes = (int(x) for x in value.split(":"))
                if not (0 <= hours < 24 and 0 <= minutes < 60):
                    raise ValueError
            except (ValueError, AttributeError):
                return Response(400, {"error": "budget_reset_utc must be HH:MM (UTC)"})
        self.config.update(body)
        self.budget.reset_offset = self.reset_offset()
        self.budget.period = None
        return Response(200, dict(self.config))

    def state_snapshot(self):
        store = self.store
        logs = []
        for log_id in store.call_log_order:
            log = store.call_logs[log_id]
            item = render.call_log_v1(log, store.company["id"])
            item["deleted"] = log["deleted"]
            item["recording"] = log["recording"]
            logs.append(item)
        return {
            "call_logs": logs,
            "activities": [render.activity_v2(a) for _, a in sorted(store.activities.items())],
            "persons": [render.person_v2(p) for _, p in sorted(store.persons.items())],
            "organizations": [render.organization_v2(o) for _, o in sorted(store.organizations.items())],
            "deals": [render.deal_v2(d) for _, d in sorted(store.deals.items())],
            "tokens_spent": self.tokens_spent,
            "tokens_by_endpoint": dict(self.tokens_by_endpoint),
            "daily_budget": {"limit": self.budget.limit, "used": self.budget.used,
                             "remaining": self.budget.remaining()},
            "now": v2_time(self.clock.now()),
        }

    def control_persons(self, method, rest, body):
        store = self.store
        now = int(self.clock.now())
        if not rest and method == "POST":
            if not isinstance(body.get("name"), str) or not body["name"].strip():
                return Response(400, {"error": "name is required"})
            ident = body.get("id") or store.new_id("person")
            if ident in store.persons:
                return Response(400, {"error": "person %s exists" % ident})
            store.next_ids["person"] = max(store.next_ids["person"], ident + 1)
            person = {"id": ident, "owner_id": 1, "org_id": None, "add_time": now, "is_deleted": False}
            problem = self.apply_person_fields(person, body, now)
            if problem:
                return Response(400, {"error": problem})
            store.persons[ident] = person
            return Response(200, render.person_v2(person))
        if len(rest) == 1 and method in ("PATCH", "DELETE"):
            try:
                person = store.persons.get(int(rest[0]))
            except ValueError:
                person = None
            if person is None:
                return Response(404, {"error": "no person %s" % rest[0]})
            if method == "DELETE":
                person["is_deleted"] = True
                person["update_time"] = self.bumped(person, now)
                return Response(200, render.person_v2(person))
            problem = self.apply_person_fields(person, body, now)
            if problem:
                return Response(400, {"error": problem})
            return Response(200, render.person_v2(person))
        return Response(404, {"error": "unknown control route %s /_sim/persons/%s" % (method, "/".join(rest))})

    def control_deals(self, method, rest, body):
        """PATCH /_sim/deals/{id} changes a deal (status, owner, person, org); DELETE deletes it."""
        store = self.store
        if len(rest) == 1 and method in ("PATCH", "DELETE"):
            try:
                deal = store.deals.get(int(rest[0]))
            except ValueError:
                deal = None
            if deal is None:
                return Response(404, {"error": "no deal %s" % rest[0]})
            now = int(self.clock.now())
            if method == "DELETE":
                deal["is_deleted"] = True
                deal["update_time"] = self.bumped(deal, now)
                return Response(200, render.deal_v2(deal))
            allowed = {"status", "owner_id", "person_id", "org_id", "title"}
            unknown = set(body) - allowed
            if unknown:
                return Response(400, {"error": "unknown deal fields: %s" % ", ".join(sorted(unknown))})
            if "status" in body and body["status"] not in ("open", "won", "lost"):
                return Response(400, {"error": "status must be open, won or lost"})
            if body.get("owner_id") is not None and body["owner_id"] not in store.users:
                return Response(400, {"error": "no user %s" % body["owner_id"]})
            if body.get("person_id") is not None and body["person_id"] not in store.persons:
                return Response(400, {"error": "no person %s" % body["person_id"]})
            if body.get("org_id") is not None and body["org_id"] not in store.organizations:
                return Response(400, {"error": "no organization %s" % body["org_id"]})
            deal.update(body)
            deal["update_time"] = self.bumped(deal, now)
            return Response(200, render.deal_v2(deal))
        return Response(404, {"error": "unknown control route %s /_sim/deals/%s" % (method, "/".join(rest))})

    @staticmethod
    def bumped(record, now):
        """A new update_time: now, but strictly after the previous one."""
        return max(now, int(record.get("update_time") or 0) + 1)

    def apply_person_fields(self, person, body, now):
        allowed = {"id", "name", "first_name", "last_name", "phones", "emails", "org_id", "owner_id", "visible_to"}
        unknown = set(body) - allowed
        if unknown:
            return "unknown person fields: %s" % ", ".join(sorted(unknown))
        if "org_id" in body and body["org_id"] is not None and body["org_id"] not in self.store.organizations:
            return "no organization %s" % body["org_id"]
        for key in ("phones", "emails"):
            if key in body:
                items = []
                for item in body[key]:
                    items.append({"value": item, "label": "work", "primary": False} if isinstance(item, str)
                                 else {"value": item["value"], "label": item.get("label", "work"),
                                       "primary": bool(item.get("primary"))})
                if items and not any(i["primary"] for i in items):
                    items[0]["primary"] = True
                person[key] = items
        for key in ("name", "first_name", "last_name", "org_id", "owner_id", "visible_to"):
            if key in body:
                person[key] = body[key]
        if "name" in body and "first_name" not in body:
            first, _, last = body["name"].strip().partition(" ")
            person["first_name"], person["last_name"] = first, (last or None)
        person.setdefault("phones", [])
        person.setdefault("emails", [])
        person["update_time"] = self.bumped(person, now)
        return None

    def merge_persons(self, body):
        store = self.store
        source, target = store.persons.get(body.get("from")), store.persons.get(body.get("into"))
        if source is None or target is None or source is target:
            return Response(400, {"error": "from and into must be two different existing person ids"})
        now = int(self.clock.now())
        for key in ("phones", "emails"):
            seen = {i["value"] for i in target.get(key, [])}
            for item in source.get(key, []):
                if item["value"] not in seen:
                    target.setdefault(key, []).append(dict(item, primary=False))
        source["is_deleted"] = True
        source["merged_into"] = target["id"]
        source["update_time"] = self.bumped(source, now)
        target["update_time"] = self.bumped(target, now)
        for table in (store.deals, store.activities, store.call_logs):
            for record in table.values():
                if record.get("person_id") == source["id"]:
                    record["person_id"] = target["id"]
        return Response(200, render.person_v2(target))


def parse_multipart(content_type, raw_body):
    """Returns (fields, files) of a multipart/form-data body."""
    fields, files = {}, {}
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw_body)
    if not message.is_multipart():
        return fields, files
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        filename = part.get_filename()
        data = part.get_payload(decode=True) or b""
        if filename is not None:
            files[name] = {"filename": filename, "content_type": part.get_content_type(), "size": len(data),
                           "data": data}
        else:
            fields[name] = data.decode("utf-8", "replace")
    return fields, files


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pdsim/1.0"
    sys_version = ""

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):
        if getattr(self.server, "verbose", False):
            sys.stderr.write("pdsim: %s - %s\n" % (self.address_string(), format % args))

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else b""

    def dispatch(self):
        sim = self.server.sim
        try:
            raw_body = self.read_body()
        except ValueError:
            self.close_connection = True
            self.send_plain(Response(400, {"error": "unreadable request body"}))
            return
        split = urllib.parse.urlsplit(self.path)
        path = split.path
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in self.headers.items()}
        if path.startswith("/_sim/") or path == "/_sim":
            self.send_plain(sim.handle_control(self.command, path, query, raw_body))
            return
        entry = {
            "seq": None,
            "time": record_time(sim.clock.now()),
            "method": self.command,
            "path": path,
            "query": {k: list(v) for k, v in query.items()},
            "headers": {k: (REDACTED if k in ("x-api-token", "authorization") else v) for k, v in headers.items()},
            "body": parse_body_for_log(headers.get("content-type", ""), raw_body),
            "status": None,
            "token_cost": 0,
            "violations": [],
            "fault": None,
            "endpoint": None,
            "rate_limited": None,
            "auth": None,
            "user_id": None,
        }
        if "api_token" in entry["query"]:
            entry["query"]["api_token"] = [REDACTED]
        if path in ("/oauth/token", "/oauth/token/") and self.command == "POST":
            entry["endpoint"] = "POST " + path
            response = sim.handle_oauth_token(headers, raw_body, entry)
        elif path == "/oauth/authorize" and self.command == "GET":
            entry["endpoint"] = "GET /oauth/authorize"
            response = sim.handle_oauth_authorize(query, entry)
        elif path == "/oauth/revoke" and self.command == "POST":
            entry["endpoint"] = "POST /oauth/revoke"
            response = sim.handle_oauth_revoke(headers, raw_body, entry)
        elif path.startswith("/api/") or path.startswith("/v1/"):
            try:
                response = sim.handle_api(self.command, path, query, headers, raw_body, entry)
            except Exception as error:  # a simulator bug must not kill the connection silently
                sys.stderr.write("pdsim: internal error on %s %s: %r\n" % (self.command, path, error))
                response = Response(500, sim_api.error_body("simulator internal error: %r" % (error,)))
        else:
            response = Response(404, sim_api.error_body("Not found"))
        if response == "drop":
            sim.record(entry)
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        entry["status"] = response.status
        sim.record(entry)
        self.send_plain(response)

    def send_plain(self, response):
        payload = response.payload()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type + ("; charset=utf-8" if response.content_type.startswith("text/") else ""))
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


def parse_body_for_log(content_type, raw_body):
    if not raw_body:
        return None
    mime = content_type.split(";")[0].strip().lower()
    if mime == "application/json":
        try:
            return json.loads(raw_body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return raw_body.decode("utf-8", "replace")[:10000]
    if mime == "application/x-www-form-urlencoded":
        return {k: v[-1] for k, v in urllib.parse.parse_qs(raw_body.decode("utf-8", "replace"),
                                                           keep_blank_values=True).items()}
    if mime == "multipart/form-data":
        fields, files = parse_multipart(content_type, raw_body)
        out = dict(fields)
        out.update({k: {"filename": v["filename"], "content_type": v["content_type"], "size": v["size"]}
                    for k, v in files.items()})
        return out
    return raw_body.decode("utf-8", "replace")[:10000]


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, sim, verbose=False):
        ThreadingHTTPServer.__init__(self, address, Handler)
        self.sim = sim
        self.verbose = verbose
        host, port = self.server_address[:2]
        sim.base_url = "http://%s:%d" % (host if ":" not in host else "[%s]" % host, port)


def start_in_thread(seed_path=DEFAULT_SEED, host="127.0.0.1", port=0):
    """Starts a simulator in a background thread (for in-process tests).
    Returns (server, thread); stop with server.shutdown(); server.server_close()."""
    sim = Simulator(load_seed(seed_path))
    server = SimServer((host, port), sim)
    thread = threading.Thread(target=server.serve_forever, name="pdsim", daemon=True)
    thread.start()
    return server, thread


def write_port_file(path, port):
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Pipedrive API simulator for ringlog's tests.")
    parser.add_argument("--port", type=int, default=0, help="TCP port; 0 picks a free one (default 0)")
    parser.add_argument("--port-file", help="write the chosen port here (atomically) once listening")
    parser.add_argument("--seed", default=DEFAULT_SEED, help="JSON seed file (default: seed.json next to pdsim.py)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    if not loopback_host(args.host):
        parser.error("refusing to bind %s: pdsim only listens on loopback addresses" % args.host)
    try:
        sim = Simulator(load_seed(args.seed))
    except SeedError as error:
        sys.stderr.write("pdsim: %s\n" % error)
        return 66
    try:
        if ":" in args.host:
            SimServer.address_family = socket.AF_INET6
        server = SimServer((args.host, args.port), sim, verbose=args.verbose)
    except OSError as error:
        sys.stderr.write("pdsim: cannot listen on %s:%d: %s\n" % (args.host, args.port, error.strerror))
        return 69

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # A parent that blocks these signals in its threads (a Swift test runner does) passes the mask on;
    # unblock them so SIGTERM stops the simulator at once.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    port = server.server_address[1]
    if args.port_file:
        write_port_file(args.port_file, port)
    sys.stderr.write("pdsim listening on %s\n" % sim.base_url)
    sys.stderr.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
