"""Tests of the Python binding (unittest; CASEMGR_LIB names the library)."""
import datetime as dt
import gc
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import casemgr  # noqa: E402
from casemgr import _ffi  # noqa: E402

T0 = 1767225600  # 2026-01-01T00:00:00Z


class Clock:
    def __init__(self, now=T0):
        self.now = now

    def __call__(self):
        return self.now


def enrolled(store, family="Rivera", mrn=None, status="active"):
    c = store.new_client()
    c.family, c.given = family, "Ana"
    if mrn:
        c.set_identifier("MRN", mrn)
    if status:
        c.set_status(status, "enrolled")
    with store.transaction("intake") as txn:
        c.save(txn)
    return c


class DeclarationsTest(unittest.TestCase):
    def test_every_declared_function_resolves(self):
        lib = casemgr.lib()
        missing = [n for n, _, _ in _ffi.FUNCTIONS if isinstance(getattr(lib, n[3:]), _ffi._Missing)]
        # The file journal is declared but may live in another build.
        self.assertLessEqual(set(missing), {"cm_store_open_journal", "cm_store_compact"})
        self.assertGreater(len(_ffi.FUNCTIONS), 250)

    def test_version_and_codes(self):
        self.assertRegex(casemgr.version(), r"^\d+\.\d+\.\d+$")
        self.assertEqual(casemgr.error_name(-3), "CM_ENOTFOUND")
        self.assertEqual(casemgr.strerror(-3), "not found")
        for code, cls in casemgr.ERRORS.items():
            self.assertEqual(casemgr.error_name(code), cls.name)
            self.assertTrue(issubclass(cls, casemgr.CasemgrError))


class DatesTest(unittest.TestCase):
    def test_dates_and_times(self):
        self.assertEqual(casemgr.parse_date("1948-02-29"), dt.date(1948, 2, 29))
        self.assertEqual(casemgr.format_date(dt.date(2026, 3, 1)), "2026-03-01")
        self.assertEqual(casemgr.date_from_ymd(2026, 1, 1), dt.date(2026, 1, 1))
        with self.assertRaises(casemgr.DateError) as cm:
            casemgr.parse_date("2026-02-30")
        self.assertEqual(cm.exception.code, -9)
        t = casemgr.parse_time("2026-01-01T01:00:00+01:00")
        self.assertEqual(casemgr.to_seconds(t), T0)
        self.assertEqual(casemgr.format_time(T0), "2026-01-01T00:00:00Z")
        with self.assertRaises(casemgr.Utf8Error):
            casemgr.utf8_check(b"\xc0\xaf", 10)
        self.assertEqual(casemgr.time_to_date(T0 + 86399), dt.date(2026, 1, 1))
        self.assertEqual(casemgr.task_status_side("accepted"), "provider")
        self.assertEqual(casemgr.crc32c(b"123456789"), 0xE3069283)


class ClientTest(unittest.TestCase):
    def setUp(self):
        self.store = casemgr.Store(clock=Clock(), id_seed=7)

    def tearDown(self):
        self.store.close()

    def test_client_round_trip(self):
        c = self.store.new_client()
        c.family, c.given = "Nguyễn", "Lan"
        c.birth_date = dt.date(1951, 7, 4)
        c.gender = "female"
        c.interpreter = True
        c.set_identifier("MRN", "MRN000000042")
        c.add_coverage("Medicare", "1EG4", "Part A/B")
        c.add_care_team_member("primary care physician", "Dr. Osei", "555-0100")
        c.set_status("active", "enrolled")
        with self.store.transaction("jordan") as txn:
            self.assertEqual(txn.actor, "jordan")
            self.assertEqual(txn.time, casemgr.from_seconds(T0))
            c.save(txn)
        self.assertEqual(c.revision, 1)
        with self.store.find_client("MRN", "MRN000000042") as g:
            self.assertEqual(g.id, c.id)
            self.assertEqual(g.family, "Nguyễn")
            self.assertEqual(g.birth_date, dt.date(1951, 7, 4))
            self.assertEqual(g.gender, "female")
            self.assertTrue(g.interpreter)
            self.assertEqual(g.status, "active")
            self.assertEqual(g.identifiers, {"MRN": "MRN000000042"})
            self.assertEqual(g.coverages, [("Medicare", "1EG4", "Part A/B")])
            self.assertEqual(g.care_team[0][1], "Dr. Osei")
            h = g.status_history
            self.assertEqual(len(h), 1)
            self.assertEqual((h[0].actor, h[0].reason), ("jordan", "enrolled"))
        c.close()
        c.close()  # idempotent
        with self.assertRaises(casemgr.StateError):
            c.family

    def test_errors_are_classes_with_messages(self):
        c = self.store.new_client()
        with self.assertRaises(casemgr.Utf8Error) as cm:
            c.family = b"bad \xc0\xaf"
        self.assertEqual(cm.exception.code, -7)
        self.assertIn("UTF-8", cm.exception.message)
        self.assertIsNone(c.family)
        with self.assertRaises(casemgr.TransitionError) as cm:
            c.set_status("finished", "skip")
        self.assertIn("planned", str(cm.exception))
        with self.assertRaises(casemgr.NotFoundError) as cm:
            self.store.client("no-such-id")
        self.assertIn("no-such-id", cm.exception.message)
        with self.assertRaises(casemgr.InvalidArgumentError):
            c.set_status("no-such-status", "x")
        with self.assertRaises(casemgr.IncompleteError):
            with self.store.transaction("x") as txn:
                self.store.new_client().save(txn)  # no name
        c.close()

    def test_transaction_rolls_back_on_exception(self):
        c = self.store.new_client()
        c.family = "Rivera"
        with self.assertRaises(RuntimeError):
            with self.store.transaction("x") as txn:
                c.save(txn)
                raise RuntimeError("boom")
        self.assertFalse(txn.open)
        with self.assertRaises(casemgr.NotFoundError):
            self.store.client(c.id)
        self.assertEqual(c.revision, 0)

    def test_conflict(self):
        c = enrolled(self.store)
        a, b = self.store.client(c.id), self.store.client(c.id)
        a.phone = "1"
        b.phone = "2"
        with self.store.transaction("x") as txn:
            a.save(txn)
        with self.assertRaises(casemgr.ConflictError):
            with self.store.transaction("x") as txn:
                b.save(txn)

    def test_busy(self):
        txn = self.store.transaction("a")
        with self.assertRaises(casemgr.BusyError):
            self.store.transaction("b")
        txn.rollback()

    def test_listing_iterator(self):
        for name in ("Cho", "Abe", "Bao"):
            enrolled(self.store, name)
        it = self.store.clients(status="active")
        self.assertEqual(len(it), 3)
        self.assertEqual([c.family for c in it], ["Abe", "Bao", "Cho"])
        self.assertIsNone(it._ptr)  # freed when exhausted
        self.assertEqual([c.family for c in self.store.clients(name_prefix="b")], ["Bao"])

    def test_audit_and_change_callback(self):
        seen = []
        self.store.on_change(lambda *a: seen.append(a))
        c = enrolled(self.store)
        self.assertEqual(seen, [(1, c.id, 1, 1)])
        entries = list(self.store.audit(record_id=c.id))
        self.assertEqual([(e.actor, e.action, e.kind) for e in entries],
                         [("intake", "create", "client")])
        self.store.on_change(None)

    def test_journal(self):
        if isinstance(casemgr.lib().store_open_journal, _ffi._Missing):
            self.skipTest("this libcasemgr has no file journal")
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "cm.journal")
            with casemgr.Store(journal=path, clock=Clock()) as store:
                cid = enrolled(store, mrn="MRNJ").id
                store.compact()
            with casemgr.Store(journal=path, sync="normal") as store:
                self.assertEqual(store.find_client("MRN", "MRNJ").id, cid)

    def test_errmsg_is_the_last_failure(self):
        with self.assertRaises(casemgr.NotFoundError) as cm:
            self.store.client("x" * 60)
        self.assertIn("x" * 60, cm.exception.message)
        self.assertEqual(self.store.errmsg, cm.exception.message)

    def test_closed_store(self):
        c = enrolled(self.store)
        self.store.close()
        self.assertEqual(c.family, "Rivera")  # handle still readable
        with self.assertRaises(casemgr.StateError):
            self.store.client(c.id)


class RecordsTest(unittest.TestCase):
    def setUp(self):
        self.store = casemgr.Store(clock=Clock())
        self.client = enrolled(self.store, mrn="MRN1")

    def tearDown(self):
        self.client.close()
        self.store.close()

    def test_assessment_plan_service_event(self):
        s = self.store
        a = s.new_assessment(self.client.id, "phq-9")
        a.assessor = "nurse"
        a.set_answers({f"q{i}": v for i, v in enumerate([2, 2, 1, 2, 1, 1, 2, 1, 0], 1)})
        a.set_status("completed", "done")
        self.assertEqual(a.score, (12, "moderate", 0))
        self.assertEqual(a.findings, [("depression", "moderate")])
        self.assertEqual(a.risk_tier, 3)
        with s.transaction("nurse") as txn:
            a.save(txn)
            a.apply_risk_tier(txn, self.client)
        self.assertEqual(self.client.risk_tier, 3)
        self.assertEqual(s.assessment(a.id, revision=1).answer("q1"), 2)

        p = s.new_plan(self.client.id)
        p.author, p.title = "cm", "Mood"
        prob = p.add_problem("Moderate depression", a.id, "depression")
        goal = p.add_goal("PHQ-9 below 10", addresses=[prob])
        goal.target_date = dt.date(2026, 3, 1)
        goal.priority = "high-priority"
        iv = p.add_intervention("Refer to behavioural health", "care-team", "cm", serves=[goal])
        self.assertEqual([e.id for e in p.problems + p.goals + p.interventions], ["p1", "g2", "i3"])
        self.assertEqual(goal.links, [prob])
        goal.set_status("active", "agreed")
        goal.set_achievement("improving", "better")
        goal.add_note("first call")
        goal.gas_weight, goal.gas_level = 1, 0
        self.assertEqual(p.gas_tscore, 50.0)
        p.set_status("active", "start")
        with s.transaction("cm") as txn:
            p.save(txn)
        q = s.plan(p.id)
        self.assertEqual(q.status, "active")
        self.assertEqual(q.goals[0].status, "active")
        self.assertEqual(q.goals[0].achievement, "improving")
        self.assertEqual(q.goals[0].notes[0][1:3], ("cm", "first call"))
        self.assertEqual(q.check(dt.date(2026, 3, 2)), [("goal-past-target", "g2")])
        self.assertEqual(iv.status, "not-started")

        prov = s.new_provider("Home Health Co", "home-health")
        prov.set_network("Medicare", "in")
        svc = s.new_service(self.client.id, "home health")
        svc.provider_id = prov.id
        svc.total_cost = 100_00
        svc.add_share("payer", "Medicare", 60_00)
        self.assertEqual(svc.funding_check(), ("short", 40_00))
        svc.add_share("client", None, 40_00)
        self.assertEqual(svc.funding_check(), ("funded", 0))
        svc.set_status("requester", "requested", "referral sent")
        self.assertEqual(svc.status_side, "requester")
        with s.transaction("cm") as txn:
            prov.save(txn)
            svc.save(txn)
        self.assertEqual(s.provider(prov.id).network("Medicare"), "in")
        self.assertEqual([x.id for x in s.services(self.client.id)], [svc.id])

        ev = s.new_event(self.client.id, "contact", dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc))
        ev.mode, ev.actor = "phone", "cm"
        with s.transaction("cm") as txn:
            self.client.record_contact(txn, ev)
        self.assertEqual(self.client.next_followup, dt.date(2026, 1, 16))
        fix = s.new_event(self.client.id, "contact", dt.datetime(2026, 1, 2, 1, tzinfo=dt.timezone.utc))
        fix.amends = ev
        with s.transaction("cm") as txn:
            fix.save(txn)
        tl = list(s.timeline(self.client.id))
        self.assertEqual([(e.id, e.amended_by) for e in tl], [(ev.id, fix.id), (fix.id, None)])
        rows, total = s.timeline_rows(self.client.id)
        self.assertEqual(total, 2)
        self.assertEqual([(r.id, r.time, r.type, r.mode, r.amends, r.amended_by) for r in rows],
                         [(e.id, e.time, e.type, e.mode, e.amends, e.amended_by) for e in tl])
        self.assertEqual(s.timeline_rows(self.client.id, newest_first=True, limit=1),
                         ([rows[1]], 2))
        self.assertEqual(s.timeline_rows(self.client.id, offset=1, limit=0), ([], 2))
        long_note = s.new_event(self.client.id, "note",
                                dt.datetime(2026, 1, 3, tzinfo=dt.timezone.utc))
        long_note.text = "\u00e9" * 100  # 200 bytes: the row holds 63 characters
        with s.transaction("cm") as txn:
            long_note.save(txn)
        (row,), _ = s.timeline_rows(self.client.id, start=long_note.time)
        self.assertEqual((row.text, row.text_len, row.amends, row.amended_by),
                         ("\u00e9" * 63, 200, None, None))
        self.assertEqual(s.event(row.id).text, "\u00e9" * 100)
        with s.transaction("cm") as txn:
            added = txn.add_event(self.client.id, "contact",
                                  dt.datetime(2026, 1, 4, tzinfo=dt.timezone.utc),
                                  mode="visit", note="home visit")
        got = s.event(added)
        self.assertEqual((got.type, got.mode, got.text, got.client_id),
                         ("contact", "visit", "home visit", self.client.id))
        with s.transaction("cm") as txn:
            with self.assertRaises(casemgr.NotFoundError):
                txn.add_event("no-such-client", "note",
                              dt.datetime(2026, 1, 4, tzinfo=dt.timezone.utc))
        with self.assertRaises(casemgr.NotFoundError):
            s.timeline_rows("no-such-client")
        with self.assertRaises(casemgr.StateError):
            ev.text = "events are immutable"

    def test_summaries_and_contact_rows(self):
        s = self.store
        self.client.case_manager = "cm-1"
        self.client.next_followup = dt.date(2026, 1, 5)
        self.client.risk_tier = 3
        with s.transaction("x") as txn:
            self.client.save(txn)
        sm = s.client_summary(self.client.id)
        self.assertEqual((sm.id, sm.status, sm.risk_tier, sm.next_followup, sm.family,
                          sm.case_manager, sm.revision),
                         (self.client.id, "active", 3, dt.date(2026, 1, 5), "Rivera", "cm-1",
                          self.client.revision))
        self.assertEqual(s.find_client_summary("MRN", "MRN1"), sm)
        with self.assertRaises(casemgr.NotFoundError):
            s.client_summary("no-such-client")
        rows, total = s.contact_worklist("cm-1", dt.date(2026, 1, 10))
        self.assertEqual(total, 1)
        self.assertEqual(rows, [casemgr.ContactRow("contact-overdue", "urgent",
                                                   dt.date(2026, 1, 5), self.client.id)])
        items = list(s.worklist(dt.date(2026, 1, 10), case_manager="cm-1", kinds=[1, 2]))
        self.assertEqual([(r.kind, r.due, r.client_id) for r in rows],
                         [(i.kind, i.due, i.client_id) for i in items])
        self.assertEqual(s.contact_worklist("cm-1", dt.date(2026, 1, 10), limit=0), ([], 1))
        with self.assertRaises(casemgr.RangeError):
            s.contact_worklist("cm-1", dt.date(2026, 1, 10), horizon_days=400)

    def test_worklist_caseload_measure_settings(self):
        s = self.store
        self.client.case_manager = "cm-1"
        self.client.next_followup = dt.date(2026, 1, 5)
        with s.transaction("x") as txn:
            self.client.save(txn)
        # Contact kinds only (a never-assessed client is also due a
        # reassessment).
        wl = s.worklist(dt.date(2026, 1, 10), kinds=[1, 2])
        self.assertEqual(wl.count, 1)
        items = list(wl)
        self.assertEqual(items[0].kind, "contact-overdue")
        self.assertEqual(items[0].due, dt.date(2026, 1, 5))
        self.assertEqual([tuple(c) for c in s.caseloads()], [("cm-1", 1, 1)])
        with s.transaction("x") as txn:
            self.assertEqual(txn.reassign_caseload("cm-1", "cm-2"), 1)
        s.set_contact_interval(4, 3)
        self.assertEqual(s.contact_interval(4), 3)
        m = s.measure("contact-compliance", "2026-01-01", "2026-01-31", "2026-01-31")
        self.assertEqual((m.numerator, m.denominator), (0, 1))
        m = s.measure("goal-attainment", "2026-01-01", "2026-01-31", "2026-01-31")
        self.assertEqual((m.numerator, m.denominator), (0, 0))  # no goals yet
        with self.assertRaises(casemgr.DateError):
            s.measure("goal-attainment", "2026-02-01", "2026-01-31", "2026-01-31")
        s.register_instrument("mood-3", "mood", [("a", 0, 3, True), ("b", 0, 3, True)],
                              [(0, "ok", "none"), (4, "low-mood", "moderate")])
        self.assertEqual(s.instrument_items("mood-3"), [("a", 0, 3, True), ("b", 0, 3, True)])
        s.set_risk_policy("mood-3", 2, 4, 6)
        s.set_plan_approval_required(True)


class CallbacksTest(unittest.TestCase):
    def test_counting_allocator_leaves_nothing_live(self):
        alloc = casemgr.CountingAllocator()
        store = casemgr.Store(allocator=alloc, clock=Clock())
        c = enrolled(store, mrn="MRN9")
        a = store.new_assessment(c.id, "lace")
        a.assessor = "rn"
        a.set_answers({"length-of-stay": 5, "acute": 1, "ed-visits": 1, "chf": 1})
        a.set_status("completed", "done")
        with store.transaction("rn") as txn:
            a.save(txn)
        list(store.clients())
        list(store.audit())
        it = store.clients()  # abandoned mid-way: freed by close()
        next(it)
        self.assertGreater(alloc.live_count, 0)
        store.close()
        self.assertGreater(alloc.live_count, 0)  # handles keep the store alive
        it.close()
        a.close()
        c.close()
        gc.collect()
        self.assertEqual(alloc.live_count, 0, alloc.live)
        self.assertGreater(alloc.allocations, 10)

    def test_allocation_failure_is_nomem(self):
        alloc = casemgr.CountingAllocator()
        with casemgr.Store(allocator=alloc) as store:
            alloc.fail_after = alloc.allocations
            with self.assertRaises(casemgr.NoMemoryError):
                store.new_client()
            alloc.fail_after = None
        gc.collect()
        self.assertEqual(alloc.live_count, 0)

    def test_clock_failure(self):
        def broken():
            raise OSError("no time")
        with self.assertRaises(casemgr.ClockError):
            casemgr.Store(clock=broken).new_client()

    def test_storage_round_trip(self):
        st = casemgr.MemoryStorage()
        with casemgr.Store(storage=st, clock=Clock()) as store:
            cid = enrolled(store, mrn="MRN5").id
        self.assertEqual(st.closed, 1)
        self.assertGreaterEqual(len(st.records), 2)  # client + transaction log
        with casemgr.Store(storage=st, clock=Clock()) as store:
            self.assertEqual(store.find_client("MRN", "MRN5").id, cid)
            self.assertEqual(len(list(store.audit())), 1)

    def test_storage_failure_changes_nothing(self):
        st = casemgr.MemoryStorage()
        with casemgr.Store(storage=st) as store:
            c = store.new_client()
            c.family = "X"
            st.fail_next_commit = True
            with self.assertRaises(casemgr.StorageError) as cm:
                with store.transaction("x") as txn:
                    c.save(txn)
            self.assertIn("disk full", cm.exception.message)
            self.assertEqual(len(list(store.clients())), 0)
            with store.transaction("x") as txn:
                c.save(txn)

    def test_storage_conflict_code_passes_through(self):
        class Refusing(casemgr.MemoryStorage):
            def put(self, *a):
                raise casemgr.ConflictError("stale")
        with casemgr.Store(storage=Refusing()) as store:
            c = store.new_client()
            c.family = "X"
            with self.assertRaises(casemgr.ConflictError):
                with store.transaction("x") as txn:
                    c.save(txn)

    def test_corrupt_stored_record(self):
        st = casemgr.MemoryStorage()
        with casemgr.Store(storage=st) as store:
            enrolled(store).close()
        k, i, r, data = st.records[0]
        st.records[0] = (k, i, r, data[:-1] + bytes([data[-1] ^ 1]))
        with self.assertRaises(casemgr.CorruptError):
            casemgr.Store(storage=st)

    def test_threads_share_a_store(self):
        alloc = casemgr.CountingAllocator()
        store = casemgr.Store(allocator=alloc)
        errors = []

        def work(n):
            try:
                for i in range(20):
                    c = store.new_client()
                    c.family = f"T{n}-{i}"
                    with store.transaction(f"t{n}") as txn:
                        c.save(txn)
                    c.close()
            except Exception as e:  # noqa: BLE001
                errors.append(e)
        ts = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(store.clients()), 80)
        store.close()
        gc.collect()
        self.assertEqual(alloc.live_count, 0)


class Marked(casemgr.MemoryStorage):
    """A MemoryStorage whose marker carries a prefix, and that can be told
    to return another marker or to fail; it records the markers it got."""

    PREFIX = "seq\u00e9:"  # not ASCII: the marker crosses as UTF-8

    def __init__(self):
        super().__init__()
        self.got = []
        self.marker = None   # returned instead of the real one when set
        self.keep = False    # return None (keep the old marker) when set
        self.error = None    # raised when set

    def load_since(self, marker):
        self.got.append(marker)
        if self.error is not None:
            raise self.error
        if marker is not None:  # another marker than its own: everything
            marker = marker[len(self.PREFIX):] if marker.startswith(self.PREFIX) else None
        records, new_marker = super().load_since(marker)
        if self.keep:
            return records, None
        return records, (self.PREFIX + new_marker if self.marker is None else self.marker)


class RefreshTest(unittest.TestCase):
    """Stores sharing a storage: load_since and Store.refresh."""

    def setUp(self):
        self.st = casemgr.MemoryStorage()
        self.a = casemgr.Store(storage=self.st, clock=Clock())
        self.b = casemgr.Store(storage=self.st, clock=Clock())

    def tearDown(self):
        self.a.close()
        self.b.close()

    def test_refresh_takes_in_the_other_stores_commits(self):
        seen = []
        self.b.on_change(lambda *a: seen.append(a))
        self.assertEqual(self.b.refresh(), 0)
        c = enrolled(self.a, mrn="MRN-A")
        with self.assertRaises(casemgr.NotFoundError):
            self.b.client(c.id)
        self.assertEqual(self.b.refresh(), 1)
        self.assertEqual(seen, [(1, c.id, 1, 1)])  # client, create
        got = self.b.find_client("MRN", "MRN-A")
        self.assertEqual((got.id, got.family, got.revision), (c.id, "Rivera", 1))
        self.assertEqual([(e.actor, e.record_id) for e in self.b.audit()], [("intake", c.id)])
        self.assertEqual(self.b.refresh(), 0)  # nothing new
        # One commit of two records: an update and a new client.
        c.phone = "555-0101"
        d = self.a.new_client()
        d.family = "Osei"
        with self.a.transaction("cm") as txn:
            c.save(txn)
            d.save(txn)
        self.assertEqual(self.b.refresh(), 2)
        self.assertEqual(self.b.client(c.id).phone, "555-0101")
        self.assertEqual(self.b.client(d.id).family, "Osei")
        self.assertEqual(sorted(seen[1:]), sorted([(1, c.id, 2, 2), (1, d.id, 1, 1)]))
        self.assertEqual(self.a.refresh(), 0)  # it holds its own commits already
        self.b.on_change(None)

    def test_stale_write_refused_then_redone_after_refresh(self):
        c = enrolled(self.a)
        self.b.refresh()
        stale = self.b.client(c.id)
        c.phone = "1"
        with self.a.transaction("a") as txn:
            c.save(txn)
        stale.phone = "2"
        with self.assertRaises(casemgr.ConflictError):  # refused by the storage
            with self.b.transaction("b") as txn:
                stale.save(txn)
        self.assertEqual(self.b.refresh(), 1)
        with self.assertRaises(casemgr.ConflictError):  # the handle stays stale
            with self.b.transaction("b") as txn:
                stale.save(txn)
        fresh = self.b.client(c.id)
        self.assertEqual((fresh.revision, fresh.phone), (2, "1"))
        fresh.phone = "2"
        with self.b.transaction("b") as txn:
            fresh.save(txn)
        self.assertEqual(self.a.refresh(), 1)
        self.assertEqual(self.a.client(c.id).phone, "2")
        # A reopened store loads the shared history whole.
        with casemgr.Store(storage=self.st) as again:
            self.assertEqual(again.client(c.id).revision, 3)
            self.assertEqual(len(list(again.audit())), 3)

    def test_refresh_with_a_transaction_open_is_busy(self):
        txn = self.b.transaction("b")
        with self.assertRaises(casemgr.BusyError):
            self.b.refresh()
        txn.rollback()
        self.assertEqual(self.b.refresh(), 0)

    def test_refresh_needs_load_since(self):
        class Plain(casemgr.Storage):  # version 1: load only
            def __init__(self):
                self.records = []

            def put(self, kind, record_id, revision, prev_revision, data):
                self.records.append(data)

            def load(self):
                return list(self.records)

        st = Plain()
        with casemgr.Store(storage=st) as store:
            enrolled(store).close()
            with self.assertRaises(casemgr.UnsupportedError) as cm:
                store.refresh()
            self.assertIn("load_since", cm.exception.message)
        with casemgr.Store(storage=st) as store:  # opened through load()
            self.assertEqual(len(store.clients()), 1)
        with casemgr.Store() as store:  # no storage at all
            with self.assertRaises(casemgr.UnsupportedError):
                store.refresh()
        self.a.close()
        with self.assertRaises(casemgr.StateError):
            self.a.refresh()

    def test_markers_cross_whole(self):
        st = Marked()
        with casemgr.Store(storage=st) as a, casemgr.Store(storage=st) as b:
            self.assertEqual(st.got, [None, None])  # each open: everything
            self.assertEqual(b.refresh(), 0)
            self.assertEqual(st.got[-1], Marked.PREFIX + "0")
            cid = enrolled(a).id
            self.assertEqual(b.refresh(), 1)
            self.assertEqual(st.got[-1], Marked.PREFIX + "0")
            self.assertEqual(b.client(cid).family, "Rivera")
            b.refresh()
            self.assertEqual(st.got[-1], Marked.PREFIX + "2")  # client + log
            # 64 bytes is the most, in UTF-8 bytes: 32 two-byte characters.
            st.marker = "\u00e9" * 32
            self.assertEqual(b.refresh(), 0)
            st.marker = None
            self.assertEqual(b.refresh(), 0)
            self.assertEqual(st.got[-1], "\u00e9" * 32)  # it came back whole
            self.assertEqual(b.refresh(), 0)
            self.assertEqual(st.got[-1], Marked.PREFIX + "2")

    def test_bad_marker_refused_and_nothing_changes(self):
        st = Marked()
        with casemgr.Store(storage=st) as a, casemgr.Store(storage=st) as b:
            cid = enrolled(a).id
            for bad, why in [("x" * 65, "65 bytes"), ("\u00e9" * 33, "66 bytes"),
                             ("12\x0034", "NUL"), ("\ud800", "not valid text"),
                             (12, "type int"), (b"12", "type bytes")]:
                st.marker = bad
                with self.assertRaises(casemgr.StorageError, msg=repr(bad)) as cm:
                    b.refresh()
                self.assertIn(why, cm.exception.message)
                self.assertIn("load_since", cm.exception.message)
                with self.assertRaises(casemgr.NotFoundError):
                    b.client(cid)
            st.marker = None
            self.assertEqual(b.refresh(), 1)
            self.assertEqual(st.got[2:], [Marked.PREFIX + "0"] * 7)  # the marker did not move
            # None keeps the old marker: the same records come again, and
            # are ignored.
            st.keep = True
            self.assertEqual(b.refresh(), 0)
            self.assertEqual(b.refresh(), 0)
            self.assertEqual(st.got[-2:], [Marked.PREFIX + "2"] * 2)
        # A bad marker at open fails the open.
        st = Marked()
        st.marker = "x" * 65
        with self.assertRaises(casemgr.StorageError):
            casemgr.Store(storage=st)
        self.assertEqual(st.closed, 1)

    def test_load_since_failure_changes_nothing(self):
        st = Marked()
        with casemgr.Store(storage=st) as a, casemgr.Store(storage=st) as b:
            cid = enrolled(a).id
            st.error = OSError("database gone")
            with self.assertRaises(casemgr.StorageError) as cm:
                b.refresh()
            self.assertIn("database gone", cm.exception.message)
            self.assertEqual(b.errmsg, cm.exception.message)
            st.error = casemgr.CorruptError("row 7 fails its checksum")
            with self.assertRaises(casemgr.CorruptError) as cm:
                b.refresh()
            self.assertIn("row 7", cm.exception.message)
            st.error = None
            with self.assertRaises(casemgr.NotFoundError):
                b.client(cid)
            self.assertEqual(b.refresh(), 1)
            self.assertEqual(st.got[2:], [Marked.PREFIX + "0"] * 3)  # the marker did not move

        # A failure part-way through the records: none is taken in.
        class HalfWay(casemgr.MemoryStorage):
            fail = False

            def load_since(self, marker):
                records, new_marker = super().load_since(marker)

                def some():
                    yield records[0]
                    if self.fail:
                        raise OSError("connection reset")
                    yield from records[1:]
                return (some() if records else records), new_marker

        st = HalfWay()
        with casemgr.Store(storage=st) as a, casemgr.Store(storage=st) as b:
            enrolled(a, "One").close()
            enrolled(a, "Two").close()
            st.fail = True
            with self.assertRaises(casemgr.StorageError):
                b.refresh()
            self.assertEqual(len(b.clients()), 0)
            st.fail = False
            self.assertEqual(b.refresh(), 2)
            self.assertEqual(len(b.clients()), 2)

    def test_load_since_must_return_a_pair(self):
        class Wrong(casemgr.MemoryStorage):
            def load_since(self, marker):
                return [r[3] for r in self.records]

        with self.assertRaises(casemgr.StorageError) as cm:
            casemgr.Store(storage=Wrong())
        self.assertIn("pair", cm.exception.message)

    def test_callbacks_outlive_garbage_collection(self):
        def stores():
            class Local(casemgr.MemoryStorage):
                def load_since(self, marker):
                    return super().load_since(marker)
            st = Local()
            return casemgr.Store(storage=st), casemgr.Store(storage=st)

        a, b = stores()
        gc.collect()
        for i in range(3):
            c = a.new_client()
            c.family = f"G{i}"
            with a.transaction("gc") as txn:
                c.save(txn)
            c.close()
            gc.collect()
            self.assertEqual(b.refresh(), 1)
        st = b.storage
        a.close()
        b.close()
        del a, b
        gc.collect()
        self.assertEqual(st.closed, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
