"""Records as objects: Client, Assessment, Plan (with its elements),
Provider, Service, Event. Each wraps a handle the binding owns: close() (or
the with statement) frees it at once, __del__ as a fallback.

Enumerations cross as strings: the library's FHIR codes where it has them
("active", "in-progress"), else the lowercase names in the tables below
("home-health", "payer"); a setter also accepts the C integer. Calendar
dates are datetime.date, instants timezone-aware datetime.datetime, money
int minor units (cents).
"""
from ctypes import byref, c_char_p, c_int32, c_int64, c_void_p

from .errors import InvalidArgumentError, StateError
from .store import (_Closing, StatusChange, check, dec, enc, from_days, from_seconds, lib,
                    to_days, to_seconds)


def _table(fn, lo, hi):
    return {i: dec(fn(i)) for i in range(lo, hi + 1) if fn(i) is not None}


_l = lib()
CASE_STATUS = _table(_l.case_status_code, 1, 7)
GENDER = {0: None, **_table(_l.gender_code, 1, 4)}
ASSESSMENT_STATUS = _table(_l.assessment_status_code, 1, 5)
SEVERITY = _table(_l.severity_code, 0, 3)
PLAN_STATUS = _table(_l.plan_status_code, 1, 6)
PLAN_INTENT = _table(_l.plan_intent_code, 1, 4)
GOAL_STATUS = _table(_l.goal_status_code, 1, 9)
ACHIEVEMENT = {0: None, **_table(_l.goal_achievement_code, 1, 9)}
ACTIVITY_STATUS = _table(_l.activity_status_code, 1, 8)
TASK_STATUS = _table(_l.task_status_code, 1, 12)
EVENT_TYPE = _table(_l.event_type_code, 1, 14)
KIND_NAMES = {0: None, **_table(_l.kind_name, 1, 15)}
GOAL_PRIORITY = {0: None, 1: "high-priority", 2: "medium-priority", 3: "low-priority"}
PRIORITY = {0: None, 1: "routine", 2: "urgent", 3: "asap", 4: "stat"}
RESPONSIBLE = {1: "care-team", 2: "provider", 3: "client", 4: "family"}
PROVIDER_KIND = dict(enumerate((
    "home-health", "home-infusion-pharmacy", "inpatient-rehabilitation", "skilled-nursing",
    "primary-care", "specialist", "behavioral-health", "transportation", "interpreter",
    "durable-medical-equipment", "food-assistance", "housing", "community-organisation",
    "other"), 1))
INTAKE = {1: "accepting", 2: "waitlisted", 3: "closed"}
NETWORK = {1: "in", 2: "out"}
SIDE = {1: "requester", 2: "provider"}
AUTH_STATUS = {0: None, 1: "requested", 2: "approved", 3: "partial", 4: "denied",
               5: "pended", 6: "cancelled"}
PARTY = {1: "payer", 2: "provider", 3: "client", 4: "other"}
FUNDING = {1: "funded", 2: "short", 3: "over"}
CONTACT_MODE = {0: None, 1: "phone", 2: "visit", 3: "telehealth"}
WORK_KIND = {1: "contact-due", 2: "contact-overdue", 3: "goal-past-target",
             4: "service-no-response", 5: "auth-expiring", 6: "plan-review-due",
             7: "reassessment-due", 8: "discharge-no-followup", 9: "missed-appointment"}
MEASURE = {1: "readmission-30d", 2: "followup-7d", 3: "goal-attainment",
           4: "referral-closure", 5: "contact-compliance", 6: "days-to-first-contact"}
PLAN_ISSUE = {1: "problem-without-goal", 2: "goal-without-intervention",
              3: "intervention-without-goal", 4: "goal-past-target", 5: "plan-past-review"}
ELEMENT_PROBLEM, ELEMENT_GOAL, ELEMENT_INTERVENTION = 112, 103, 105


def code_of(table, value):
    """A name from table (or the int itself) -> the C integer."""
    if value is None:
        return 0
    if isinstance(value, str):
        for k, v in table.items():
            if v == value:
                return k
        raise InvalidArgumentError(f"unknown code {value!r}; expected one of "
                                   f"{sorted(v for v in table.values() if v)}")
    return int(value)


# ---- property factories -----------------------------------------------------

def _text(field, getter, setter, doc=None):
    def get(self):
        return dec(getattr(lib(), getter)(self._p(), field))

    def put(self, value):
        check(getattr(lib(), setter)(self._p(), field, enc(value)), self.store)
    return property(get, put, doc=doc)


def _int(field, getter, setter, kind="int", table=None, readonly=False):
    def get(self):
        out = c_int64()
        check(getattr(lib(), getter)(byref(out), self._p(), field), self.store)
        v = out.value
        if kind == "date":
            return from_days(v)
        if kind == "time":
            return from_seconds(v)
        if kind == "bool":
            return bool(v)
        if table is not None:
            return table.get(v, v)
        return v

    def put(self, value):
        if kind == "date":
            v = to_days(value)
        elif kind == "time":
            v = to_seconds(value)
        elif table is not None:
            v = code_of(table, value)
        else:
            v = int(value)
        check(getattr(lib(), setter)(self._p(), field, v), self.store)
    return property(get, None if readonly else put)


def _history(count_fn, at_fn, obj, *extra):
    l = lib()
    out = []
    f, t, tm, actor, reason = c_int32(), c_int32(), c_int64(), c_char_p(), c_char_p()
    for i in range(getattr(l, count_fn)(obj._p(), *extra)):
        check(getattr(l, at_fn)(byref(f), byref(t), byref(tm), byref(actor), byref(reason),
                                obj._p(), *extra, i), obj.store)
        out.append(StatusChange(f.value, t.value, from_seconds(tm.value), dec(actor.value),
                                dec(reason.value)))
    return out


class _Record(_Closing):
    """Base of every record: owns one handle."""
    _prefix = None  # "client" -> cm_client_free, cm_client_id, ...

    def __init__(self, store, ptr):
        self.store = store  # keeps the store's callbacks alive
        self._ptr = ptr

    @classmethod
    def _new(cls, store, fn, *args):
        out = c_void_p()
        check(fn(byref(out), *args), store)
        return cls(store, out.value)

    def _fn(self, suffix):
        return getattr(lib(), f"{self._prefix}_{suffix}")

    def _p(self):
        if not self._ptr:
            raise StateError(f"this {self._prefix} has been closed", -11, "CM_ESTATE")
        return self._ptr

    def close(self):
        if self._ptr:
            p, self._ptr = self._ptr, None
            self._fn("free")(p)

    @property
    def id(self):
        return dec(self._fn("id")(self._p()))

    @property
    def revision(self):
        return self._fn("revision")(self._p())

    def save(self, txn):
        """Stage this record in a transaction."""
        check(self._fn("save")(txn._p(), self._p()), self.store)
        return self

    def __repr__(self):
        return f"<{type(self).__name__} {self.id if self._ptr else '(closed)'}>"


class Client(_Record):
    _prefix = "client"
    family = _text(1, "client_text", "client_set_text")
    given = _text(2, "client_text", "client_set_text")
    language = _text(3, "client_text", "client_set_text")
    phone = _text(4, "client_text", "client_set_text")
    email = _text(5, "client_text", "client_set_text")
    address = _text(6, "client_text", "client_set_text")
    program = _text(7, "client_text", "client_set_text")
    case_manager = _text(8, "client_text", "client_set_text")
    birth_date = _int(1, "client_get_int", "client_set_int", "date")
    gender = _int(2, "client_get_int", "client_set_int", table=GENDER)
    interpreter = _int(3, "client_get_int", "client_set_int", "bool")
    risk_tier = _int(4, "client_get_int", "client_set_int")
    next_followup = _int(5, "client_get_int", "client_set_int", "date")

    def set_id(self, client_id):
        check(lib().client_set_id(self._p(), enc(client_id)), self.store)

    @property
    def created(self):
        return from_seconds(lib().client_created(self._p()))

    @property
    def updated(self):
        return from_seconds(lib().client_updated(self._p()))

    @property
    def status(self):
        return CASE_STATUS.get(lib().client_status(self._p()))

    def set_status(self, status, reason):
        check(lib().client_set_status(self._p(), code_of(CASE_STATUS, status), enc(reason)),
              self.store)

    @property
    def status_history(self):
        return _history("client_status_history_count", "client_status_history_at", self)

    def set_identifier(self, system, value):
        check(lib().client_set_identifier(self._p(), enc(system), enc(value)), self.store)

    def identifier(self, system):
        return dec(lib().client_identifier(self._p(), enc(system)))

    @property
    def identifiers(self):
        l, s, v = lib(), c_char_p(), c_char_p()
        out = {}
        for i in range(l.client_identifier_count(self._p())):
            check(l.client_identifier_at(byref(s), byref(v), self._p(), i), self.store)
            out[dec(s.value)] = dec(v.value)
        return out

    def add_coverage(self, payer, member_id=None, plan=None):
        check(lib().client_add_coverage(self._p(), enc(payer), enc(member_id), enc(plan)),
              self.store)

    def remove_coverage(self, index):
        check(lib().client_remove_coverage(self._p(), index), self.store)

    @property
    def coverages(self):
        l, a, b, c = lib(), c_char_p(), c_char_p(), c_char_p()
        out = []
        for i in range(l.client_coverage_count(self._p())):
            check(l.client_coverage_at(byref(a), byref(b), byref(c), self._p(), i), self.store)
            out.append((dec(a.value), dec(b.value), dec(c.value)))
        return out

    def add_care_team_member(self, role, name, contact=None):
        check(lib().client_add_care_team_member(self._p(), enc(role), enc(name), enc(contact)),
              self.store)

    def remove_care_team_member(self, index):
        check(lib().client_remove_care_team_member(self._p(), index), self.store)

    @property
    def care_team(self):
        l, a, b, c = lib(), c_char_p(), c_char_p(), c_char_p()
        out = []
        for i in range(l.client_care_team_count(self._p())):
            check(l.client_care_team_at(byref(a), byref(b), byref(c), self._p(), i), self.store)
            out.append((dec(a.value), dec(b.value), dec(c.value)))
        return out

    def record_contact(self, txn, event):
        """Stage a completed contact event and move the next follow-up."""
        check(lib().client_record_contact(txn._p(), self._p(), event._p()), self.store)


class Assessment(_Record):
    _prefix = "assessment"
    assessor = _text(1, "assessment_text", "assessment_set_text")
    note = _text(2, "assessment_text", "assessment_set_text")
    time = _int(1, "assessment_get_int", "assessment_set_int", "time")

    @property
    def client_id(self):
        return dec(lib().assessment_client_id(self._p()))

    @property
    def instrument(self):
        return dec(lib().assessment_instrument(self._p()))

    @property
    def created(self):
        return from_seconds(lib().assessment_created(self._p()))

    @property
    def updated(self):
        return from_seconds(lib().assessment_updated(self._p()))

    @property
    def status(self):
        return ASSESSMENT_STATUS.get(lib().assessment_status(self._p()))

    def set_status(self, status, reason):
        check(lib().assessment_set_status(self._p(), code_of(ASSESSMENT_STATUS, status),
                                          enc(reason)), self.store)

    @property
    def status_history(self):
        return _history("assessment_status_history_count", "assessment_status_history_at", self)

    def answer(self, item, value=None):
        """answer(item) reads an answer; answer(item, value) sets it."""
        if value is None:
            out = c_int32()
            check(lib().assessment_answer(byref(out), self._p(), enc(item)), self.store)
            return out.value
        check(lib().assessment_set_answer(self._p(), enc(item), value), self.store)
        return value

    def clear_answer(self, item):
        check(lib().assessment_clear_answer(self._p(), enc(item)), self.store)

    @property
    def answers(self):
        l, item, v = lib(), c_char_p(), c_int32()
        out = {}
        for i in range(l.assessment_answer_count(self._p())):
            check(l.assessment_answer_at(byref(item), byref(v), self._p(), i), self.store)
            out[dec(item.value)] = v.value
        return out

    def set_answers(self, answers):
        for item, value in answers.items():
            self.answer(item, value)

    @property
    def score(self):
        """(total, band, flags)."""
        total, band, flags = c_int32(), c_char_p(), c_int32()
        check(lib().assessment_score(byref(total), byref(band), byref(flags), self._p()),
              self.store)
        return total.value, dec(band.value), flags.value

    @property
    def total(self):
        return self.score[0]

    @property
    def band(self):
        return self.score[1]

    @property
    def components(self):
        l, code, v = lib(), c_char_p(), c_int32()
        out = {}
        for i in range(l.assessment_component_count(self._p())):
            check(l.assessment_component_at(byref(code), byref(v), self._p(), i), self.store)
            out[dec(code.value)] = v.value
        return out

    @property
    def findings(self):
        """[(domain, severity name)]."""
        l, dom, sev = lib(), c_char_p(), c_int32()
        out = []
        for i in range(l.assessment_finding_count(self._p())):
            check(l.assessment_finding_at(byref(dom), byref(sev), self._p(), i), self.store)
            out.append((dec(dom.value), SEVERITY.get(sev.value)))
        return out

    @property
    def risk_tier(self):
        out = c_int32()
        check(lib().assessment_risk_tier(byref(out), self._p()), self.store)
        return out.value

    def apply_risk_tier(self, txn, client):
        check(lib().assessment_apply_risk_tier(txn._p(), self._p(), client._p()), self.store)


class Element:
    """A problem, goal or intervention of a Plan (borrowed from it)."""

    def __init__(self, plan, element_id):
        self.plan = plan
        self.id = element_id

    def __repr__(self):
        return f"<{type(self).__name__} {self.id}>"

    def __eq__(self, other):
        return isinstance(other, Element) and other.plan is self.plan and other.id == self.id

    def __hash__(self):
        return hash(self.id)

    def _text(self, field):
        return dec(lib().plan_element_text(self.plan._p(), enc(self.id), field))

    def _set_text(self, field, value):
        check(lib().plan_element_set_text(self.plan._p(), enc(self.id), field, enc(value)),
              self.plan.store)

    def _int(self, field):
        out = c_int64()
        check(lib().plan_element_get_int(byref(out), self.plan._p(), enc(self.id), field),
              self.plan.store)
        return out.value

    def _set_int(self, field, value):
        check(lib().plan_element_set_int(self.plan._p(), enc(self.id), field, value),
              self.plan.store)

    @property
    def links(self):
        l, p = lib(), self.plan
        return [p.element(dec(l.plan_link_at(p._p(), enc(self.id), i)))
                for i in range(l.plan_link_count(p._p(), enc(self.id)))]


def _etext(field):
    return property(lambda s: s._text(field), lambda s, v: s._set_text(field, v))


def _eint(field, kind="int", table=None):
    def get(s):
        v = s._int(field)
        if kind == "date":
            return from_days(v)
        return table.get(v, v) if table else v

    def put(s, v):
        s._set_int(field, to_days(v) if kind == "date" else code_of(table, v) if table else int(v))
    return property(get, put)


class _StatusElement(Element):
    _statuses = None

    @property
    def status(self):
        out = c_int32()
        check(lib().plan_element_status(byref(out), self.plan._p(), enc(self.id)),
              self.plan.store)
        return self._statuses.get(out.value)

    def set_status(self, status, reason):
        check(lib().plan_element_set_status(self.plan._p(), enc(self.id),
                                            code_of(self._statuses, status), enc(reason)),
              self.plan.store)

    @property
    def status_history(self):
        return _history("plan_element_history_count", "plan_element_history_at",
                        self.plan, enc(self.id))

    def link(self, target):
        """Goal -> problem it addresses; intervention -> goal it serves."""
        tid = target.id if isinstance(target, Element) else target
        check(lib().plan_link(self.plan._p(), enc(self.id), enc(tid)), self.plan.store)


class Problem(Element):
    description = _etext(1)
    finding_source = _etext(4)
    finding_domain = _etext(5)


class Goal(_StatusElement):
    _statuses = GOAL_STATUS
    description = _etext(1)
    measure = _etext(2)
    target_value = _etext(3)
    target_date = _eint(1, "date")
    priority = _eint(2, table=GOAL_PRIORITY)
    gas_level = _eint(4)
    gas_weight = _eint(5)

    @property
    def achievement(self):
        return ACHIEVEMENT.get(self._int(3))

    def set_achievement(self, achievement, reason):
        check(lib().plan_goal_set_achievement(self.plan._p(), enc(self.id),
                                              code_of(ACHIEVEMENT, achievement), enc(reason)),
              self.plan.store)

    @property
    def achievement_history(self):
        return _history("plan_goal_achievement_history_count",
                        "plan_goal_achievement_history_at", self.plan, enc(self.id))

    def add_note(self, text):
        check(lib().plan_goal_add_note(self.plan._p(), enc(self.id), enc(text)), self.plan.store)

    @property
    def notes(self):
        """[(time, author, text, achievement)]."""
        l, p = lib(), self.plan
        tm, au, tx, ach = c_int64(), c_char_p(), c_char_p(), c_int32()
        out = []
        for i in range(l.plan_goal_note_count(p._p(), enc(self.id))):
            check(l.plan_goal_note_at(byref(tm), byref(au), byref(tx), byref(ach), p._p(),
                                      enc(self.id), i), p.store)
            out.append((from_seconds(tm.value), dec(au.value), dec(tx.value),
                        ACHIEVEMENT.get(ach.value)))
        return out


class Intervention(_StatusElement):
    _statuses = ACTIVITY_STATUS
    what = _etext(6)
    responsible = _etext(7)
    due_date = _eint(6, "date")
    responsible_kind = _eint(7, table=RESPONSIBLE)


_ELEMENT_CLASSES = {"p": Problem, "g": Goal, "i": Intervention}


class Plan(_Record):
    _prefix = "plan"
    title = _text(1, "plan_text", "plan_set_text")
    description = _text(2, "plan_text", "plan_set_text")
    author = _text(3, "plan_text", "plan_set_text")
    intent = _int(1, "plan_get_int", "plan_set_int", table=PLAN_INTENT)
    period_start = _int(2, "plan_get_int", "plan_set_int", "date")
    period_end = _int(3, "plan_get_int", "plan_set_int", "date")
    next_review = _int(4, "plan_get_int", "plan_set_int", "date")

    @property
    def client_id(self):
        return dec(lib().plan_client_id(self._p()))

    @property
    def created(self):
        return from_seconds(lib().plan_created(self._p()))

    @property
    def updated(self):
        return from_seconds(lib().plan_updated(self._p()))

    @property
    def status(self):
        return PLAN_STATUS.get(lib().plan_status(self._p()))

    def set_status(self, status, reason):
        check(lib().plan_set_status(self._p(), code_of(PLAN_STATUS, status), enc(reason)),
              self.store)

    @property
    def status_history(self):
        return _history("plan_status_history_count", "plan_status_history_at", self)

    def approve(self, approver, time):
        check(lib().plan_approve(self._p(), enc(approver), to_seconds(time)), self.store)

    @property
    def approval(self):
        """(approver, time) or None."""
        who, when = c_char_p(), c_int64()
        rc = lib().plan_approval(byref(who), byref(when), self._p())
        if rc == -3:
            return None
        check(rc, self.store)
        return dec(who.value), from_seconds(when.value)

    def element(self, element_id):
        return _ELEMENT_CLASSES[element_id[0]](self, element_id)

    def _add(self, fn, *args):
        out = c_char_p()
        check(fn(byref(out), self._p(), *args), self.store)
        return self.element(dec(out.value))

    def add_problem(self, description, assessment_id=None, finding_domain=None):
        return self._add(lib().plan_add_problem, enc(description), enc(assessment_id),
                         enc(finding_domain))

    def add_goal(self, description, addresses=()):
        goal = self._add(lib().plan_add_goal, enc(description))
        for p in addresses:
            goal.link(p)
        return goal

    def add_intervention(self, what, kind, responsible=None, serves=()):
        i = self._add(lib().plan_add_intervention, enc(what), code_of(RESPONSIBLE, kind),
                      enc(responsible))
        for g in serves:
            i.link(g)
        return i

    def _elements(self, kind):
        l = lib()
        return [self.element(dec(l.plan_element_id(self._p(), kind, i)))
                for i in range(l.plan_element_count(self._p(), kind))]

    @property
    def problems(self):
        return self._elements(ELEMENT_PROBLEM)

    @property
    def goals(self):
        return self._elements(ELEMENT_GOAL)

    @property
    def interventions(self):
        return self._elements(ELEMENT_INTERVENTION)

    def check(self, as_of):
        """The plan checker: [(issue name, element id or '')]."""
        l = lib()
        rep = c_void_p()
        check(l.plan_check(byref(rep), self._p(), to_days(as_of)), self.store)
        try:
            out, issue, eid = [], c_int32(), c_char_p()
            for i in range(l.plan_report_count(rep)):
                check(l.plan_report_at(byref(issue), byref(eid), rep, i), self.store)
                out.append((PLAN_ISSUE.get(issue.value, issue.value), dec(eid.value)))
            return out
        finally:
            l.plan_report_free(rep)

    @property
    def gas_tscore(self):
        out = c_int32()  # hundredths
        check(lib().plan_gas_tscore(byref(out), self._p()), self.store)
        return out.value / 100


class Provider(_Record):
    _prefix = "provider"
    name = _text(1, "provider_text", "provider_set_text")
    contact = _text(2, "provider_text", "provider_set_text")
    kind = _int(1, "provider_get_int", "provider_set_int", table=PROVIDER_KIND)
    intake = _int(2, "provider_get_int", "provider_set_int", table=INTAKE)

    def set_network(self, payer, status):
        check(lib().provider_set_network(self._p(), enc(payer), code_of(NETWORK, status)),
              self.store)

    def network(self, payer):
        out = c_int32()
        rc = lib().provider_network(byref(out), self._p(), enc(payer))
        if rc == -3:
            return None
        check(rc, self.store)
        return NETWORK.get(out.value)


class Service(_Record):
    _prefix = "service"
    category = _text(1, "service_text", "service_set_text")
    provider_id = _text(2, "service_text", "service_set_text")
    plan_id = _text(3, "service_text", "service_set_text")
    plan_element = _text(4, "service_text", "service_set_text")
    description = _text(5, "service_text", "service_set_text")
    auth_reference = _text(6, "service_text", "service_set_text")
    priority = _int(1, "service_get_int", "service_set_int", table=PRIORITY)
    requested_date = _int(2, "service_get_int", "service_set_int", "date")
    accepted_date = _int(3, "service_get_int", "service_set_int", "date")
    scheduled_date = _int(4, "service_get_int", "service_set_int", "date")
    started_date = _int(5, "service_get_int", "service_set_int", "date")
    completed_date = _int(6, "service_get_int", "service_set_int", "date")
    response_deadline = _int(7, "service_get_int", "service_set_int", "date")
    auth_status = _int(8, "service_get_int", "service_set_int", table=AUTH_STATUS)
    auth_units_requested = _int(9, "service_get_int", "service_set_int")
    auth_units_approved = _int(10, "service_get_int", "service_set_int")
    auth_units_used = _int(11, "service_get_int", "service_set_int")
    auth_valid_from = _int(12, "service_get_int", "service_set_int", "date")
    auth_valid_to = _int(13, "service_get_int", "service_set_int", "date")
    total_cost = _int(14, "service_get_int", "service_set_int")  # cents

    @property
    def client_id(self):
        return dec(lib().service_client_id(self._p()))

    @property
    def status(self):
        return TASK_STATUS.get(lib().service_status(self._p()))

    def set_status(self, side, status, reason):
        check(lib().service_set_status(self._p(), code_of(SIDE, side),
                                       code_of(TASK_STATUS, status), enc(reason)), self.store)

    @property
    def status_history(self):
        return _history("service_status_history_count", "service_status_history_at", self)

    @property
    def status_side(self):
        """The side that set the current status (cm_task_status_side)."""
        return SIDE.get(lib().task_status_side(lib().service_status(self._p())))

    def add_share(self, party, name, amount):
        """amount in minor units (cents)."""
        check(lib().service_add_share(self._p(), code_of(PARTY, party), enc(name), amount),
              self.store)

    def remove_share(self, index):
        check(lib().service_remove_share(self._p(), index), self.store)

    @property
    def shares(self):
        """[(party, name, amount)]."""
        l, party, name, amount = lib(), c_int32(), c_char_p(), c_int64()
        out = []
        for i in range(l.service_share_count(self._p())):
            check(l.service_share_at(byref(party), byref(name), byref(amount), self._p(), i),
                  self.store)
            out.append((PARTY.get(party.value), dec(name.value), amount.value))
        return out

    def funding_check(self):
        """(state, difference): ("funded", 0), ("short", +n) or ("over", -n)."""
        state, diff = c_int32(), c_int64()
        check(lib().service_funding_check(byref(state), byref(diff), self._p()), self.store)
        return FUNDING.get(state.value), diff.value


class Event(_Record):
    _prefix = "event"
    actor = _text(1, "event_text", "event_set_text")
    outcome = _text(2, "event_text", "event_set_text")
    text = _text(3, "event_text", "event_set_text")
    plan_id = _text(4, "event_text", "event_set_text")
    goal_id = _text(5, "event_text", "event_set_text")
    service_id = _text(6, "event_text", "event_set_text")
    disposition = _text(7, "event_text", "event_set_text")
    time = _int(1, "event_get_int", "event_set_int", "time")
    mode = _int(2, "event_get_int", "event_set_int", table=CONTACT_MODE)
    amended_by = None  # set on events from a timeline

    @property
    def client_id(self):
        return dec(lib().event_client_id(self._p()))

    @property
    def type(self):
        return EVENT_TYPE.get(lib().event_type(self._p()))

    @property
    def recorded(self):
        return from_seconds(lib().event_recorded(self._p()))

    @property
    def amends(self):
        return dec(lib().event_amends(self._p()))

    @amends.setter
    def amends(self, event_id):
        if isinstance(event_id, Event):
            event_id = event_id.id
        check(lib().event_set_amends(self._p(), enc(event_id)), self.store)
