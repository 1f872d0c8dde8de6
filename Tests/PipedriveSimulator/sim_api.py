"""The simulated Pipedrive API endpoints (v1 call logs, users, activity types,
recents; v2 persons, organizations, activities (list, create, read, change,
delete), deals).

Every handler takes (store, ctx) and returns (status, body). Requests have
already passed the spec validation in pdsim.py; handlers add the semantic
checks Pipedrive makes (referenced entities exist, one primary phone, ...)
and raise ApiError for failures.
"""

import base64
import functools
import json
import re
import uuid

import sim_render as render
from sim_store import split_name
from sim_time import normalise_time_of_day, parse_time, v1_time

NON_DIGITS = re.compile(r"\D")
ERROR_INFO = "Please check developers.pipedrive.com for more information about Pipedrive API."


class ApiError(Exception):
    """An error answer in Pipedrive's envelope."""

    def __init__(self, status, message, code=None):
        Exception.__init__(self, message)
        self.status = status
        self.message = message
        self.code = code


def error_body(message, code=None):
    body = {"success": False, "error": message, "error_info": ERROR_INFO, "data": None,
            "additional_data": None}
    if code:
        body["code"] = code
    return body


def validation_error(message):
    return ApiError(400, "Validation failed: " + message, "ERR_SCHEMA_VALIDATION_FAILED")


class Context:
    """One API request as the handlers see it."""

    def __init__(self, now, user_id, path_params, params, body, files=None, config=None):
        self.now = now
        self.config = config or {}
        self.user_id = user_id
        self.path_params = path_params
        self.params = params
        self.body = body if body is not None else {}
        self.files = files or {}


def ok(data, additional_data=None, status=200):
    body = {"success": True, "data": data}
    if additional_data is not None:
        body["additional_data"] = additional_data
    return status, body


# ---------------------------------------------------------------- cursors

def encode_cursor(payload):
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text):
    try:
        padded = text + "=" * (-len(text) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        raise validation_error("cursor: is not a valid cursor")
    if not isinstance(payload, dict):
        raise validation_error("cursor: is not a valid cursor")
    return payload


def v2_list(items, ctx, sort_fields):
    """Cursor pagination over records sorted by sort_by/sort_direction, with
    `updated_since` (inclusive) and `updated_until` (exclusive) filters."""
    params = ctx.params
    since = params.get("updated_since")
    until = params.get("updated_until")
    if since is not None:
        items = [i for i in items if i["update_time"] >= int(parse_time(since))]
    if until is not None:
        items = [i for i in items if i["update_time"] < int(parse_time(until))]
    if params.get("ids"):
        wanted = set()
        for part in params["ids"]:
            if not re.match(r"^\d+$", part.strip()):
                raise validation_error("ids: must be a comma separated list of integers")
            wanted.add(int(part))
        if len(wanted) > 100:
            raise validation_error("ids: at most 100 ids are allowed")
        items = [i for i in items if i["id"] in wanted]
    sort_by = params.get("sort_by", "id")
    direction = params.get("sort_direction", "asc")
    if sort_by not in sort_fields:
        raise validation_error("sort_by: must be one of [%s]" % ", ".join(sort_fields))

    def key(item):
        return (sort_value(item, sort_by), item["id"])

    items = sorted(items, key=key, reverse=(direction == "desc"))
    if params.get("cursor"):
        cursor = decode_cursor(params["cursor"])
        if cursor.get("field") != sort_by or cursor.get("sortDirection") != direction:
            raise validation_error("cursor: does not match sort_by/sort_direction of the request")
        try:
            mark = (int(cursor["fieldValue"]), int(cursor["id"]))
        except (KeyError, TypeError, ValueError):
            raise validation_error("cursor: is not a valid cursor")
        if direction == "asc":
            items = [i for i in items if key(i) >= mark]
        else:
            items = [i for i in items if key(i) <= mark]
    limit = params.get("limit", 100)
    if limit < 1:
        raise validation_error("limit: must be greater than or equal to 1")
    page, rest = items[:limit], items[limit:]
    next_cursor = None
    if rest:
        first = rest[0]
        next_cursor = encode_cursor({"field": sort_by, "fieldValue": key(first)[0],
                                     "sortDirection": direction, "id": first["id"]})
    return page, {"next_cursor": next_cursor}


def sort_value(item, field):
    """The integer a v2 list sorts (and puts in its cursors) by: ids and epoch
    seconds as they are, `due_date` (YYYY-MM-DD or null) as YYYYMMDD or 0."""
    if field == "id":
        return int(item["id"])
    if field == "due_date":
        value = item.get("due_date")
        return int(value.replace("-", "")) if value else 0
    return int(item[field])


def v1_page(items, ctx, default_limit, max_limit):
    start = ctx.params.get("start", 0)
    limit = ctx.params.get("limit", default_limit)
    if start < 0:
        raise ApiError(400, '"start" must be greater than or equal to 0')
    if limit < 1:
        raise ApiError(400, '"limit" must be greater than or equal to 1')
    limit = min(limit, max_limit)
    page = items[start:start + limit]
    more = start + limit < len(items)
    pagination = {"start": start, "limit": limit, "more_items_in_collection": more}
    if more:
        pagination["next_start"] = start + limit
    return page, pagination


# ---------------------------------------------------------------- v1 call logs

OUTCOMES = ("connected", "no_answer", "left_message", "left_voicemail", "wrong_number", "busy")


def seconds_to_hms(seconds):
    seconds = int(seconds)
    return "%02d:%02d:%02d" % (seconds // 3600, (seconds // 60) % 60, seconds % 60)


def user_can_act_for_others(user):
    return any(a.get("app") == "account_settings" for a in user.get("access", []))


def add_call_log(store, ctx):
    body = ctx.body
    caller = store.users[ctx.user_id]
    if "duration" in body and not re.match(r"^\d+$", body["duration"]):
        raise ApiError(400, '"duration" must be the call length in whole seconds')
    start = parse_time(body["start_time"])
    end = parse_time(body["end_time"])
    if body.get("deal_id") is not None and body.get("lead_id") is not None:
        raise ApiError(400, "A call log can be associated with either a deal or a lead, but not both at once.")
    user_id = body.get("user_id", ctx.user_id)
    owner = store.users.get(user_id)
    if owner is None or not owner.get("active_flag", True):
        raise ApiError(404, "A resource required for this operation was not found.")
    if user_id != ctx.user_id and not user_can_act_for_others(caller):
        raise ApiError(403, "You don't have permission to change this resource.")
    links = {k: body.get(k) for k in ("person_id", "org_id", "deal_id", "lead_id")}
    activity = None
    if body.get("activity_id") is not None:
        activity = store.live(store.activities, body["activity_id"])
        if activity is None:
            raise ApiError(404, "A resource required for this operation was not found.")
        if activity.get("type") != "call":
            raise ApiError(400, "The activity_id must refer to a call type activity.")
        links = {k: activity.get(k) for k in ("person_id", "org_id", "deal_id", "lead_id")}
    else:
        for key, table in (("person_id", store.persons), ("org_id", store.organizations),
                           ("deal_id", store.deals)):
            if links[key] is not None and store.live(table, links[key]) is None:
                raise ApiError(404, "A resource required for this operation was not found.")
    now = int(ctx.now)
    subject = body.get("subject")
    if activity is None:
        activity = {
            "id": store.new_id("activity"),
            "type": "call",
            "subject": subject or "Call",
            "owner_id": user_id,
            "creator_user_id": ctx.user_id,
            "add_time": now,
            "participants": ([{"person_id": links["person_id"], "primary": True}]
                             if links["person_id"] else []),
            "attendees": [],
            "busy": False,
        }
        activity.update(links)
        store.activities[activity["id"]] = activity
    elif subject:
        activity["subject"] = subject
    activity.update({
        "done": True,
        "marked_as_done_time": now,
        "update_time": now,
        "due_date": v1_time(start)[:10],
        "due_time": v1_time(start)[11:19],
        "duration": seconds_to_hms(int(body.get("duration", "0") or 0)),
        "note": body.get("note", activity.get("note")),
        "call_log_id": None,
    })
    log_id = "CA" + uuid.uuid4().hex[:27]
    activity["call_log_id"] = log_id
    log = {
        "id": log_id,
        "activity_id": activity["id"],
        "user_id": user_id,
        "subject": subject,
        "duration": body.get("duration"),
        "outcome": body["outcome"],
        "from_phone_number": body.get("from_phone_number"),
        "to_phone_number": body["to_phone_number"],
        "start_time": start,
        "end_time": end,
        "note": body.get("note"),
        "recording": None,
        "deleted": False,
        "add_time": now,
        "created_by": ctx.user_id,
    }
    log.update(links)
    store.call_logs[log_id] = log
    store.call_log_order.append(log_id)
    return ok(render.call_log_v1(log, store.company["id"]))


def list_call_logs(store, ctx):
    mine = [store.call_logs[i] for i in store.call_log_order
            if not store.call_logs[i]["deleted"] and store.call_logs[i]["user_id"] == ctx.user_id]
    page, pagination = v1_page(mine, ctx, 50, 50)
    return ok([render.call_log_v1(c, store.company["id"]) for c in page], {"pagination": pagination})


def get_call_log(store, ctx):
    log = store.call_logs.get(ctx.path_params["id"])
    if log is None or log["deleted"]:
        raise ApiError(404, "A resource required for this operation was not found.")
    return ok(render.call_log_v1(log, store.company["id"]))


def delete_call_log(store, ctx):
    log = store.call_logs.get(ctx.path_params["id"])
    if log is None:
        raise ApiError(404, "A resource required for this operation was not found.")
    if log["deleted"]:
        raise ApiError(410, "The callLog you are trying to access is no longer available")
    log["deleted"] = True
    log["recording"] = None
    return 200, {"success": True}


def add_recording(store, ctx):
    log = store.call_logs.get(ctx.path_params["id"])
    if log is None or log["deleted"]:
        raise ApiError(404, "A resource required for this operation was not found.")
    if log["recording"] is not None:
        raise ApiError(409, "A recording for this call already exists")
    part = ctx.files["file"]
    log["recording"] = {"filename": part["filename"], "content_type": part["content_type"],
                        "size": part["size"]}
    return 200, {"success": True}


# ---------------------------------------------------------------- v1 users, types, recents

def list_users(store, ctx):
    return ok([render.user_v1(u, ctx.user_id) for u in sorted(store.users.values(), key=lambda u: u["id"])])


def get_me(store, ctx):
    data = render.user_v1(store.users[ctx.user_id], ctx.user_id)
    data.update({
        "company_id": store.company["id"],
        "company_name": store.company["name"],
        "company_domain": store.company["domain"],
        "company_country": store.company["country"],
        "company_industry": store.company["industry"],
        "language": {"language_code": "en", "country_code": "US"},
    })
    return ok(data)


def get_user(store, ctx):
    try:
        user = store.users.get(int(ctx.path_params["id"]))
    except ValueError:
        user = None
    if user is None:
        raise ApiError(404, "User not found")
    return ok(render.user_v1(user, ctx.user_id))


def list_activity_types(store, ctx):
    types = sorted(store.activity_types.values(), key=lambda t: (t.get("order_nr", t["id"]), t["id"]))
    return ok([render.activity_type_v1(t) for t in types])


RECENT_KINDS = ("activity", "activityType", "deal", "file", "filter", "note", "person", "organization",
                "pipeline", "product", "stage", "user")


def recents(store, ctx):
    since = parse_time(ctx.params["since_timestamp"])
    kinds = ctx.params.get("items") or list(RECENT_KINDS)
    entries = []
    if "person" in kinds:
        entries += [("person", p, lambda p=p: render.person_v1(p, store)) for p in store.persons.values()]
    if "organization" in kinds:
        entries += [("organization", o, lambda o=o: render.organization_v1(o, store))
                    for o in store.organizations.values()]
    if "deal" in kinds:
        entries += [("deal", d, lambda d=d: render.deal_v1(d, store)) for d in store.deals.values()]
    if "activity" in kinds:
        entries += [("activity", a, lambda a=a: render.activity_v1(a, store)) for a in store.activities.values()]
    if "activityType" in kinds:
        entries += [("activityType", t, lambda t=t: render.activity_type_v1(t))
                    for t in store.activity_types.values()]
    if "user" in kinds:
        entries += [("user", u, lambda u=u: render.user_v1(u, ctx.user_id)) for u in store.users.values()]
    entries = [e for e in entries if e[1]["update_time"] >= int(since)]
    entries.sort(key=lambda e: (e[1]["update_time"], RECENT_KINDS.index(e[0]), e[1]["id"]))
    page, pagination = v1_page(entries, ctx, 100, 500)
    data = [{"item": kind, "id": item["id"], "data": make()} for kind, item, make in page]
    last = v1_time(page[-1][1]["update_time"]) if page else None
    return ok(data, {"since_timestamp": v1_time(since), "last_timestamp_on_page": last,
                     "pagination": pagination})


# ---------------------------------------------------------------- v2 persons

def list_persons(store, ctx):
    items = [p for p in store.persons.values() if not p.get("is_deleted")]
    if ctx.params.get("owner_id") is not None:
        items = [p for p in items if p.get("owner_id") == ctx.params["owner_id"]]
    if ctx.params.get("org_id") is not None:
        items = [p for p in items if p.get("org_id") == ctx.params["org_id"]]
    if ctx.params.get("deal_id") is not None:
        deal = store.deals.get(ctx.params["deal_id"])
        items = [p for p in items if deal is not None and deal.get("person_id") == p["id"]]
    page, additional = v2_list(items, ctx, ("id", "update_time", "add_time"))
    return ok([render.person_v2(p) for p in page], additional)


def get_person(store, ctx):
    person = store.live(store.persons, ctx.path_params["id"])
    if person is None:
        raise ApiError(404, "Person not found")
    return ok(render.person_v2(person))


@functools.lru_cache(maxsize=65536)
def digits(text):
    return NON_DIGITS.sub("", text or "")


def phone_matches(value, term, exact, mode):
    if mode == "raw":
        if exact:
            return value.strip().lower() == term.strip().lower()
        return term.strip().lower() in value.lower()
    term_digits = digits(term)
    if not term_digits:
        return False
    if exact:
        return digits(value) == term_digits
    return term_digits in digits(value)


def text_matches(value, term, exact):
    if value is None:
        return False
    if exact:
        return value.strip().lower() == term.strip().lower()
    return term.strip().lower() in value.lower()


SEARCH_FIELDS = ("custom_fields", "email", "notes", "phone", "name")


def search_persons(store, ctx):
    search_mode = ctx.config.get("search_mode", "digits")
    term = ctx.params["term"]
    exact = bool(ctx.params.get("exact_match", False))
    if len(term.strip()) < (1 if exact else 2):
        raise validation_error("term: must be at least %d characters long" % (1 if exact else 2))
    fields = ctx.params.get("fields") or list(SEARCH_FIELDS)
    results = []
    for person in sorted(store.persons.values(), key=lambda p: p["id"]):
        if person.get("is_deleted"):
            continue
        if ctx.params.get("organization_id") is not None and person.get("org_id") != ctx.params["organization_id"]:
            continue
        score = 0.0
        if "phone" in fields and any(phone_matches(ph["value"], term, exact, search_mode)
                                     for ph in person.get("phones", [])):
            score = max(score, 1.0 if exact else 0.8)
        if "name" in fields and text_matches(person["name"], term, exact):
            score = max(score, 1.0 if exact else 0.6)
        if "email" in fields and any(text_matches(e["value"], term, exact) for e in person.get("emails", [])):
            score = max(score, 1.0 if exact else 0.5)
        if score > 0:
            results.append((score, person))
    results.sort(key=lambda r: (-r[0], r[1]["id"]))
    offset = 0
    if ctx.params.get("cursor"):
        cursor = decode_cursor(ctx.params["cursor"])
        if not isinstance(cursor.get("offset"), int) or cursor["offset"] < 0:
            raise validation_error("cursor: is not a valid cursor")
        offset = cursor["offset"]
    limit = ctx.params.get("limit", 100)
    if limit < 1:
        raise validation_error("limit: must be greater than or equal to 1")
    page = results[offset:offset + limit]
    next_cursor = encode_cursor({"offset": offset + limit}) if offset + limit < len(results) else None
    items = []
    for score, person in page:
        org = store.organizations.get(person.get("org_id"))
        items.append({
            "result_score": score,
            "item": {
                "id": person["id"],
                "type": "person",
                "name": person["name"],
                "phones": [ph["value"] for ph in person.get("phones", [])],
                "emails": [e["value"] for e in person.get("emails", [])],
                "visible_to": person.get("visible_to", 3),
                "owner": {"id": person.get("owner_id")},
                "organization": ({"id": org["id"], "name": org["name"],
                                  "address": (render.address_object(org) or {}).get("value")}
                                 if org else None),
                "custom_fields": [],
                "notes": [],
            },
        })
    return ok({"items": items}, {"next_cursor": next_cursor})


def normalise_contacts(items, field):
    out = []
    for i, item in enumerate(items):
        if not item.get("value"):
            raise validation_error("%s[%d].value: is required" % (field, i))
        out.append({"value": item["value"], "label": item.get("label", "work"),
                    "primary": bool(item.get("primary", False))})
    primaries = sum(1 for i in out if i["primary"])
    if primaries > 1:
        raise validation_error("%s: only one item can be primary" % field)
    if out and primaries == 0:
        out[0]["primary"] = True
    return out


def check_reference(store, table, ident, field):
    if ident is not None and store.live(table, ident) is None:
        raise validation_error("%s: no entity with id %s" % (field, ident))


def add_person(store, ctx):
    body = ctx.body
    if not (body.get("name") or "").strip():
        raise validation_error("name: is required")
    check_reference(store, store.organizations, body.get("org_id"), "org_id")
    owner_id = body.get("owner_id", ctx.user_id)
    if owner_id not in store.users:
        raise validation_error("owner_id: no user with id %s" % owner_id)
    now = int(ctx.now)
    first, last = split_name(body["name"])
    person = {
        "id": store.new_id("person"),
        "name": body["name"].strip(),
        "first_name": first,
        "last_name": last,
        "owner_id": owner_id,
        "org_id": body.get("org_id"),
        "phones": normalise_contacts(body.get("phones", []), "phones"),
        "emails": normalise_contacts(body.get("emails", []), "emails"),
        "add_time": int(parse_time(body["add_time"])) if body.get("add_time") else now,
        "update_time": now,
        "visible_to": body.get("visible_to", 3),
        "label_ids": body.get("label_ids", []),
        "custom_fields": body.get("custom_fields", {}),
        "is_deleted": False,
    }
    store.persons[person["id"]] = person
    return ok(render.person_v2(person))


# ---------------------------------------------------------------- v2 organizations

def list_organizations(store, ctx):
    items = [o for o in store.organizations.values() if not o.get("is_deleted")]
    if ctx.params.get("owner_id") is not None:
        items = [o for o in items if o.get("owner_id") == ctx.params["owner_id"]]
    page, additional = v2_list(items, ctx, ("id", "update_time", "add_time"))
    return ok([render.organization_v2(o) for o in page], additional)


def get_organization(store, ctx):
    org = store.live(store.organizations, ctx.path_params["id"])
    if org is None:
        raise ApiError(404, "Organization not found")
    return ok(render.organization_v2(org))


# ---------------------------------------------------------------- v2 activities

def apply_activity_fields(store, ctx, activity, body):
    if "type" in body and body["type"] not in store.active_type_keys():
        raise validation_error("type: '%s' is not an active activity type key_string" % body["type"])
    for key, table in (("deal_id", store.deals), ("person_id", store.persons), ("org_id", store.organizations)):
        if key in body:
            check_reference(store, table, body[key], key)
    if "owner_id" in body and body["owner_id"] not in store.users:
        raise validation_error("owner_id: no user with id %s" % body["owner_id"])
    if body.get("due_date") is not None and not re.match(r"^\d{4}-\d{2}-\d{2}$", body["due_date"]):
        raise validation_error("due_date: must be a date in YYYY-MM-DD format")
    for key in ("due_time", "duration"):
        if body.get(key):
            normal = normalise_time_of_day(body[key])
            if normal is None:
                raise validation_error("%s: must be in HH:MM or HH:MM:SS format" % key)
            body = dict(body)
            body[key] = normal
    participants = body.get("participants")
    if participants is not None:
        for i, part in enumerate(participants):
            if "person_id" not in part:
                raise validation_error("participants[%d].person_id: is required" % i)
            check_reference(store, store.persons, part["person_id"], "participants[%d].person_id" % i)
        if sum(1 for p in participants if p.get("primary")) > 1:
            raise validation_error("participants: only one participant can be primary")
    for key, value in body.items():
        activity[key] = value
    if participants is not None:
        activity["participants"] = [{"person_id": p["person_id"], "primary": bool(p.get("primary"))}
                                    for p in participants]
        primary = [p for p in activity["participants"] if p["primary"]]
        if primary:
            activity["person_id"] = primary[0]["person_id"]
    elif "person_id" in body:
        pid = body["person_id"]
        activity["participants"] = [{"person_id": pid, "primary": True}] if pid else []
    if "done" in body:
        activity["marked_as_done_time"] = int(ctx.now) if body["done"] else None
    activity["update_time"] = int(ctx.now)


ACTIVITY_FILTERS = ("owner_id", "deal_id", "lead_id", "person_id", "org_id", "done")


def list_activities(store, ctx):
    """GET /api/v2/activities: live activities, filtered (person_id is the
    primary participant), sorted and paged like every v2 list. There are no
    saved filters in the simulator, so any filter_id is unknown."""
    if ctx.params.get("filter_id") is not None:
        raise ApiError(404, "Filter not found")
    items = [a for a in store.activities.values() if not a.get("is_deleted")]
    for key in ACTIVITY_FILTERS:
        if ctx.params.get(key) is not None:
            wanted = ctx.params[key]
            if key == "done":
                items = [a for a in items if bool(a.get("done")) == wanted]
            else:
                items = [a for a in items if a.get(key) == wanted]
    page, additional = v2_list(items, ctx, ("id", "update_time", "add_time", "due_date"))
    with_attendees = "attendees" in (ctx.params.get("include_fields") or [])
    return ok([render.activity_v2(a, attendees=with_attendees) for a in page], additional)


def add_activity(store, ctx):
    now = int(ctx.now)
    activity = {
        "id": None,
        "subject": None,
        "type": "task" if "task" in store.active_type_keys() else sorted(store.active_type_keys())[0],
        "owner_id": ctx.user_id,
        "creator_user_id": ctx.user_id,
        "add_time": now,
        "update_time": now,
        "participants": [],
        "attendees": [],
        "busy": False,
        "done": False,
        "is_deleted": False,
    }
    apply_activity_fields(store, ctx, activity, ctx.body)
    if not activity.get("subject"):
        names = {t["key_string"]: t["name"] for t in store.activity_types.values()}
        activity["subject"] = names.get(activity["type"], "Activity")
    activity["id"] = store.new_id("activity")
    store.activities[activity["id"]] = activity
    return ok(render.activity_v2(activity))


def get_activity(store, ctx):
    activity = store.live(store.activities, ctx.path_params["id"])
    if activity is None:
        raise ApiError(404, "Activity not found")
    return ok(render.activity_v2(activity))


def update_activity(store, ctx):
    activity = store.live(store.activities, ctx.path_params["id"])
    if activity is None:
        raise ApiError(404, "Activity not found")
    apply_activity_fields(store, ctx, activity, ctx.body)
    return ok(render.activity_v2(activity))


def delete_activity(store, ctx):
    activity = store.live(store.activities, ctx.path_params["id"])
    if activity is None:
        raise ApiError(404, "Activity not found")
    activity["is_deleted"] = True
    activity["update_time"] = int(ctx.now)
    return ok({"id": activity["id"]})


# ---------------------------------------------------------------- v2 deals

def list_deals(store, ctx):
    statuses = ctx.params.get("status")
    items = list(store.deals.values())
    if statuses:
        items = [d for d in items if ("deleted" in statuses and d.get("is_deleted"))
                 or (not d.get("is_deleted") and d.get("status") in statuses)]
    else:
        items = [d for d in items if not d.get("is_deleted")]
    for key in ("owner_id", "person_id", "org_id", "pipeline_id", "stage_id"):
        if ctx.params.get(key) is not None:
            items = [d for d in items if d.get(key, 1 if key in ("pipeline_id", "stage_id") else None)
                     == ctx.params[key]]
    page, additional = v2_list(items, ctx, ("id", "update_time", "add_time"))
    return ok([render.deal_v2(d) for d in page], additional)


DEAL_STATUSES = ("open", "won", "lost")


def add_deal(store, ctx):
    body = ctx.body
    if not body["title"].strip():
        raise validation_error("title: must not be empty")
    check_reference(store, store.persons, body.get("person_id"), "person_id")
    check_reference(store, store.organizations, body.get("org_id"), "org_id")
    if body.get("status") is not None and body["status"] not in DEAL_STATUSES:
        raise validation_error("status: must be one of [%s]" % ", ".join(DEAL_STATUSES))
    owner_id = body.get("owner_id", ctx.user_id)
    if owner_id not in store.users:
        raise validation_error("owner_id: no user with id %s" % owner_id)
    now = int(ctx.now)
    deal = dict(body)
    deal.update({
        "id": store.new_id("deal"),
        "owner_id": owner_id,
        "creator_user_id": ctx.user_id,
        "add_time": now,
        "update_time": now,
        "stage_change_time": now,
        "status": body.get("status", "open"),
        "is_deleted": False,
    })
    store.deals[deal["id"]] = deal
    return ok(render.deal_v2(deal))


HANDLERS = {
    "POST /api/v1/callLogs": add_call_log,
    "GET /api/v1/callLogs": list_call_logs,
    "GET /api/v1/callLogs/{id}": get_call_log,
    "DELETE /api/v1/callLogs/{id}": delete_call_log,
    "POST /api/v1/callLogs/{id}/recordings": add_recording,
    "GET /api/v1/users": list_users,
    "GET /api/v1/users/me": get_me,
    "GET /api/v1/users/{id}": get_user,
    "GET /api/v1/activityTypes": list_activity_types,
    "GET /api/v1/recents": recents,
    "GET /api/v2/persons": list_persons,
    "POST /api/v2/persons": add_person,
    "GET /api/v2/persons/search": search_persons,
    "GET /api/v2/persons/{id}": get_person,
    "GET /api/v2/organizations": list_organizations,
    "GET /api/v2/organizations/{id}": get_organization,
    "GET /api/v2/activities": list_activities,
    "POST /api/v2/activities": add_activity,
    "GET /api/v2/activities/{id}": get_activity,
    "PATCH /api/v2/activities/{id}": update_activity,
    "DELETE /api/v2/activities/{id}": delete_activity,
    "GET /api/v2/deals": list_deals,
    "POST /api/v2/deals": add_deal,
}
