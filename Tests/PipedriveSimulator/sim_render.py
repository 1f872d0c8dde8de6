"""Renders the simulator's internal records in the shapes of the Pipedrive
API versions: v2 (RFC 3339 times, `phones`/`emails`, integer ids) and v1
(`YYYY-MM-DD HH:MM:SS` times, `phone`/`email`, `active_flag`)."""

from sim_time import call_log_time, v1_time, v2_time

LOCATION_KEYS = ("value", "country", "admin_area_level_1", "admin_area_level_2", "locality",
                 "sublocality", "route", "street_number", "subpremise", "postal_code")


def contact_list(items):
    return [{"value": i["value"], "primary": bool(i.get("primary")), "label": i.get("label", "work")}
            for i in items]


def person_v2(p):
    return {
        "id": p["id"],
        "name": p["name"],
        "first_name": p.get("first_name"),
        "last_name": p.get("last_name"),
        "owner_id": p.get("owner_id"),
        "org_id": p.get("org_id"),
        "add_time": v2_time(p["add_time"]),
        "update_time": v2_time(p["update_time"]),
        "emails": contact_list(p.get("emails", [])),
        "phones": contact_list(p.get("phones", [])),
        "is_deleted": bool(p.get("is_deleted")),
        "visible_to": p.get("visible_to", 3),
        "label_ids": list(p.get("label_ids", [])),
        "picture_id": p.get("picture_id"),
        "custom_fields": dict(p.get("custom_fields", {})),
    }


def person_v1(p, store):
    org = store.organizations.get(p.get("org_id")) if p.get("org_id") else None
    owner = store.users.get(p.get("owner_id"))
    emails = contact_list(p.get("emails", []))
    phones = contact_list(p.get("phones", []))
    return {
        "id": p["id"],
        "company_id": store.company["id"],
        "owner_id": p.get("owner_id"),
        "org_id": p.get("org_id"),
        "name": p["name"],
        "first_name": p.get("first_name"),
        "last_name": p.get("last_name"),
        "active_flag": not p.get("is_deleted"),
        "phone": phones or [{"value": "", "primary": True}],
        "email": emails or [{"value": "", "primary": True}],
        "first_char": (p["name"][:1] or "").lower(),
        "add_time": v1_time(p["add_time"]),
        "update_time": v1_time(p["update_time"]),
        "visible_to": str(p.get("visible_to", 3)),
        "picture_id": None,
        "label": None,
        "label_ids": list(p.get("label_ids", [])),
        "org_name": org["name"] if org else None,
        "owner_name": owner["name"] if owner else None,
        "cc_email": "%s@pipedrivemail.com" % store.company["domain"],
        "merge_what_id": p.get("merged_into"),
    }


def address_object(org):
    addr = org.get("address")
    if addr is None:
        return None
    if isinstance(addr, str):
        return {"value": addr}
    return {k: addr[k] for k in LOCATION_KEYS if k in addr}


def organization_v2(o):
    return {
        "id": o["id"],
        "name": o["name"],
        "owner_id": o.get("owner_id"),
        "add_time": v2_time(o["add_time"]),
        "update_time": v2_time(o["update_time"]),
        "is_deleted": bool(o.get("is_deleted")),
        "visible_to": o.get("visible_to", 3),
        "address": address_object(o),
        "label_ids": list(o.get("label_ids", [])),
        "website": o.get("website"),
        "linkedin": o.get("linkedin"),
        "industry": o.get("industry"),
        "annual_revenue": o.get("annual_revenue"),
        "employee_count": o.get("employee_count"),
        "custom_fields": dict(o.get("custom_fields", {})),
    }


def organization_v1(o, store):
    owner = store.users.get(o.get("owner_id"))
    addr = address_object(o) or {}
    people = sum(1 for p in store.persons.values() if p.get("org_id") == o["id"] and not p.get("is_deleted"))
    return {
        "id": o["id"],
        "company_id": store.company["id"],
        "owner_id": {
            "id": owner["id"] if owner else o.get("owner_id"),
            "name": owner["name"] if owner else None,
            "email": owner["email"] if owner else None,
            "has_pic": 0,
            "pic_hash": None,
            "active_flag": bool(owner and owner.get("active_flag", True)),
            "value": o.get("owner_id"),
        },
        "name": o["name"],
        "active_flag": not o.get("is_deleted"),
        "picture_id": None,
        "country_code": None,
        "first_char": (o["name"][:1] or "").lower(),
        "add_time": v1_time(o["add_time"]),
        "update_time": v1_time(o["update_time"]),
        "visible_to": str(o.get("visible_to", 3)),
        "label": None,
        "label_ids": list(o.get("label_ids", [])),
        "owner_name": owner["name"] if owner else None,
        "cc_email": "%s@pipedrivemail.com" % store.company["domain"],
        "people_count": people,
        "address": addr.get("value"),
        "address_formatted_address": addr.get("value"),
        "address_country": addr.get("country"),
        "address_locality": addr.get("locality"),
        "address_postal_code": addr.get("postal_code"),
        "address_route": addr.get("route"),
        "address_street_number": addr.get("street_number"),
    }


DEAL_V2_OPTIONAL = ("probability", "lost_reason", "close_time", "won_time", "lost_time",
                    "expected_close_date", "origin_id", "channel", "channel_id", "source_lead_id",
                    "arr", "mrr", "acv")


def deal_v2(d):
    out = {
        "id": d["id"],
        "title": d["title"],
        "creator_user_id": d.get("creator_user_id"),
        "owner_id": d.get("owner_id"),
        "person_id": d.get("person_id"),
        "org_id": d.get("org_id"),
        "pipeline_id": d.get("pipeline_id", 1),
        "stage_id": d.get("stage_id", 1),
        "value": d.get("value", 0),
        "currency": d.get("currency", "EUR"),
        "add_time": v2_time(d["add_time"]),
        "update_time": v2_time(d["update_time"]),
        "stage_change_time": v2_time(d.get("stage_change_time")),
        "is_deleted": bool(d.get("is_deleted")),
        "is_archived": bool(d.get("is_archived")),
        "archive_time": d.get("archive_time"),
        "status": d.get("status", "open"),
        "visible_to": d.get("visible_to", 3),
        "label_ids": list(d.get("label_ids", [])),
        "origin": d.get("origin", "API"),
        "custom_fields": dict(d.get("custom_fields", {})),
    }
    for key in DEAL_V2_OPTIONAL:
        out[key] = d.get(key)
    return out


def deal_v1(d, store):
    person = store.persons.get(d.get("person_id"))
    org = store.organizations.get(d.get("org_id"))
    owner = store.users.get(d.get("owner_id"))
    return {
        "id": d["id"],
        "creator_user_id": d.get("creator_user_id"),
        "user_id": d.get("owner_id"),
        "person_id": d.get("person_id"),
        "org_id": d.get("org_id"),
        "stage_id": d.get("stage_id", 1),
        "pipeline_id": d.get("pipeline_id", 1),
        "title": d["title"],
        "value": d.get("value", 0),
        "currency": d.get("currency", "EUR"),
        "add_time": v1_time(d["add_time"]),
        "update_time": v1_time(d["update_time"]),
        "active": d.get("status", "open") == "open" and not d.get("is_deleted"),
        "deleted": bool(d.get("is_deleted")),
        "is_archived": bool(d.get("is_archived")),
        "status": d.get("status", "open"),
        "probability": d.get("probability"),
        "lost_reason": d.get("lost_reason"),
        "visible_to": str(d.get("visible_to", 3)),
        "close_time": d.get("close_time"),
        "person_name": person["name"] if person else None,
        "org_name": org["name"] if org else None,
        "owner_name": owner["name"] if owner else None,
    }


def activity_v2(a, attendees=True):
    """An activity in the v2 shape. Lists (GET /api/v2/activities) leave out
    `attendees` unless asked for with include_fields=attendees."""
    out = {
        "id": a["id"],
        "subject": a.get("subject"),
        "type": a.get("type"),
        "owner_id": a.get("owner_id"),
        "creator_user_id": a.get("creator_user_id"),
        "is_deleted": bool(a.get("is_deleted")),
        "add_time": v2_time(a["add_time"]),
        "update_time": v2_time(a["update_time"]),
        "deal_id": a.get("deal_id"),
        "lead_id": a.get("lead_id"),
        "person_id": a.get("person_id"),
        "org_id": a.get("org_id"),
        "project_id": a.get("project_id"),
        "due_date": a.get("due_date"),
        "due_time": a.get("due_time"),
        "duration": a.get("duration"),
        "busy": bool(a.get("busy")),
        "done": bool(a.get("done")),
        "marked_as_done_time": v2_time(a.get("marked_as_done_time")),
        "location": a.get("location"),
        "participants": [dict(x) for x in a.get("participants", [])],
        "attendees": [dict(x) for x in a.get("attendees", [])],
        "conference_meeting_client": None,
        "conference_meeting_url": None,
        "conference_meeting_id": None,
        "public_description": a.get("public_description"),
        "priority": a.get("priority"),
        "note": a.get("note"),
    }
    if not attendees:
        del out["attendees"]
    return out


def hhmm(value):
    return value[:5] if isinstance(value, str) and len(value) >= 5 else value


def activity_v1(a, store):
    person = store.persons.get(a.get("person_id"))
    org = store.organizations.get(a.get("org_id"))
    deal = store.deals.get(a.get("deal_id"))
    location = a.get("location") or {}
    return {
        "id": a["id"],
        "company_id": store.company["id"],
        "user_id": a.get("owner_id"),
        "assigned_to_user_id": a.get("owner_id"),
        "created_by_user_id": a.get("creator_user_id"),
        "done": bool(a.get("done")),
        "type": a.get("type"),
        "subject": a.get("subject"),
        "due_date": a.get("due_date"),
        "due_time": hhmm(a.get("due_time")) or "",
        "duration": hhmm(a.get("duration")) or "",
        "busy_flag": bool(a.get("busy")),
        "add_time": v1_time(a["add_time"]),
        "update_time": v1_time(a["update_time"]),
        "marked_as_done_time": v1_time(a.get("marked_as_done_time")) or "",
        "active_flag": not a.get("is_deleted"),
        "deal_id": a.get("deal_id"),
        "lead_id": a.get("lead_id"),
        "person_id": a.get("person_id"),
        "org_id": a.get("org_id"),
        "project_id": a.get("project_id"),
        "note": a.get("note"),
        "public_description": a.get("public_description"),
        "location": location.get("value") if isinstance(location, dict) else location,
        "participants": [{"person_id": x.get("person_id"), "primary_flag": bool(x.get("primary"))}
                         for x in a.get("participants", [])],
        "attendees": [dict(x) for x in a.get("attendees", [])] or None,
        "person_name": person["name"] if person else None,
        "org_name": org["name"] if org else None,
        "deal_title": deal["title"] if deal else None,
    }


USER_FIELDS = ("id", "name", "default_currency", "locale", "lang", "email", "phone", "activated",
               "last_login", "created", "modified", "has_created_company", "access", "active_flag",
               "timezone_name", "timezone_offset", "role_id", "icon_url", "is_deleted")


def user_v1(u, caller_id):
    out = {k: u.get(k) for k in USER_FIELDS}
    out["access"] = [dict(a) for a in u.get("access", [])]
    out["is_you"] = u["id"] == caller_id
    return out


def activity_type_v1(t):
    return {
        "id": t["id"],
        "order_nr": t.get("order_nr", t["id"]),
        "name": t["name"],
        "key_string": t["key_string"],
        "icon_key": t.get("icon_key", "task"),
        "active_flag": t.get("active_flag", True),
        "color": t.get("color", "FFFFFF"),
        "is_custom_flag": t.get("is_custom_flag", False),
        "add_time": v1_time(t["add_time"]),
        "update_time": v1_time(t["update_time"]),
    }


CALL_LOG_OPTIONAL = ("subject", "duration", "from_phone_number", "person_id", "org_id", "deal_id",
                     "lead_id", "note")


def call_log_v1(c, company_id):
    out = {
        "id": c["id"],
        "activity_id": c["activity_id"],
        "user_id": c["user_id"],
        "company_id": company_id,
        "outcome": c["outcome"],
        "to_phone_number": c["to_phone_number"],
        "start_time": call_log_time(c["start_time"]),
        "end_time": call_log_time(c["end_time"]),
        "has_recording": c.get("recording") is not None,
    }
    for key in CALL_LOG_OPTIONAL:
        if c.get(key) is not None:
            out[key] = c[key]
    return out
