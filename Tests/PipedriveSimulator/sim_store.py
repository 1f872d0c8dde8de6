"""In-memory Pipedrive data for the simulator, loaded from a JSON seed."""

import copy
import json

from sim_time import parse_time


class SeedError(Exception):
    """The seed file is unusable; the message says what to fix."""


DEFAULT_SCOPE = ",".join([
    "base", "phone-integration", "users:read", "contacts:full", "activities:full", "deals:full",
    "search:read", "recents:read",
])


def _time(value, fallback):
    if value is None:
        return fallback
    if isinstance(value, (int, float)):
        return float(value)
    parsed = parse_time(value)
    if parsed is None:
        raise SeedError("seed time %r is neither RFC 3339 nor 'YYYY-MM-DD HH:MM:SS'" % (value,))
    return parsed


def _contacts(items, default_label):
    """Seed phones/emails: strings or {value,label,primary}; first becomes primary if none is."""
    out = []
    for item in items or []:
        if isinstance(item, str):
            out.append({"value": item, "label": default_label, "primary": False})
        else:
            out.append({"value": item["value"], "label": item.get("label", default_label),
                        "primary": bool(item.get("primary", False))})
    if out and not any(i["primary"] for i in out):
        out[0]["primary"] = True
    return out


def split_name(name):
    parts = name.strip().split(" ", 1)
    return parts[0], (parts[1] if len(parts) > 1 else None)


class Store:
    """All mutable simulated Pipedrive data. Callers hold `lock` of the simulator."""

    def __init__(self, seed, now):
        self.seed = seed
        self.load(now)

    def load(self, now):
        seed = copy.deepcopy(self.seed)
        base = _time(seed.get("base_time"), now - 30 * 86400)
        company = seed.get("company") or {}
        self.company = {
            "id": company.get("id", 7001),
            "name": company.get("name", "Ringlog Test Oy"),
            "domain": company.get("domain", "ringlog-test"),
            "country": company.get("country", "FI"),
            "industry": company.get("industry", "Telecommunications"),
            "plan": company.get("plan", "lite"),
        }
        tokens = dict(seed.get("api_tokens") or {})
        if seed.get("api_token"):
            tokens.setdefault(seed["api_token"], seed.get("api_token_user_id", 1))
        self.api_tokens = {k: int(v) for k, v in tokens.items()}
        self.oauth_clients = {}
        for client in seed.get("oauth_clients") or []:
            self.oauth_clients[client["client_id"]] = {
                "client_id": client["client_id"],
                "client_secret": client["client_secret"],
                "redirect_uris": list(client.get("redirect_uris") or []),
                "scope": client.get("scope", DEFAULT_SCOPE),
                "user_id": int(client.get("user_id", 1)),
            }
        self.users = {}
        for u in seed.get("users") or []:
            user = dict(u)
            user.setdefault("active_flag", True)
            user.setdefault("activated", user["active_flag"])
            user.setdefault("is_deleted", False)
            user.setdefault("default_currency", "EUR")
            user.setdefault("locale", "fi_FI")
            user.setdefault("lang", 1)
            user.setdefault("phone", None)
            user.setdefault("last_login", "2026-01-05 08:00:00")
            user.setdefault("created", "2024-03-01 09:00:00")
            user.setdefault("modified", "2026-01-05 08:00:00")
            user.setdefault("has_created_company", user["id"] == 1)
            user.setdefault("access", [{"app": "sales", "admin": False, "permission_set_id": "sales-regular"}])
            user.setdefault("timezone_name", "Europe/Helsinki")
            user.setdefault("timezone_offset", "+02:00")
            user.setdefault("role_id", 1)
            user.setdefault("icon_url", None)
            user["update_time"] = _time(user.pop("update_time", None), base)
            self.users[user["id"]] = user
        if not self.users:
            raise SeedError("the seed has no users; add at least one to 'users'")
        self.organizations = {}
        for o in seed.get("organizations") or []:
            org = dict(o)
            org["add_time"] = _time(org.get("add_time"), base)
            org["update_time"] = _time(org.get("update_time"), org["add_time"])
            org.setdefault("owner_id", 1)
            org.setdefault("is_deleted", False)
            self.organizations[org["id"]] = org
        self.persons = {}
        for p in seed.get("persons") or []:
            person = dict(p)
            first, last = split_name(person["name"])
            person.setdefault("first_name", first)
            person.setdefault("last_name", last)
            person["phones"] = _contacts(person.get("phones"), "work")
            person["emails"] = _contacts(person.get("emails"), "work")
            person["add_time"] = _time(person.get("add_time"), base)
            person["update_time"] = _time(person.get("update_time"), person["add_time"])
            person.setdefault("owner_id", 1)
            person.setdefault("org_id", None)
            person.setdefault("is_deleted", False)
            self.persons[person["id"]] = person
        self.deals = {}
        for d in seed.get("deals") or []:
            deal = dict(d)
            deal["add_time"] = _time(deal.get("add_time"), base)
            deal["update_time"] = _time(deal.get("update_time"), deal["add_time"])
            deal["stage_change_time"] = deal["add_time"]
            deal.setdefault("owner_id", 1)
            deal.setdefault("creator_user_id", deal["owner_id"])
            deal.setdefault("status", "open")
            self.deals[deal["id"]] = deal
        self.activity_types = {}
        for t in seed.get("activity_types") or []:
            at = dict(t)
            at["add_time"] = _time(at.get("add_time"), base)
            at["update_time"] = _time(at.get("update_time"), at["add_time"])
            self.activity_types[at["id"]] = at
        self.activities = {}
        for a in seed.get("activities") or []:
            act = dict(a)
            act["add_time"] = _time(act.get("add_time"), base)
            act["update_time"] = _time(act.get("update_time"), act["add_time"])
            self.activities[act["id"]] = act
        self.call_logs = {}
        self.call_log_order = []
        self.next_ids = {
            "person": max(self.persons, default=0) + 1,
            "organization": max(self.organizations, default=0) + 1,
            "deal": max(self.deals, default=0) + 1,
            "activity": max(self.activities, default=0) + 1,
        }

    def new_id(self, kind):
        value = self.next_ids[kind]
        self.next_ids[kind] = value + 1
        return value

    def active_type_keys(self):
        return {t["key_string"] for t in self.activity_types.values() if t.get("active_flag", True)}

    def live(self, table, ident):
        """The record with that id unless absent or deleted."""
        item = table.get(ident)
        if item is None or item.get("is_deleted"):
            return None
        return item


def load_seed(path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            return json.load(f)
    except OSError as error:
        raise SeedError("cannot read seed %s: %s" % (path, error.strerror))
    except ValueError as error:
        raise SeedError("seed %s is not valid JSON: %s" % (path, error))
