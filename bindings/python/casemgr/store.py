"""Store, transactions, storage and allocator callbacks, iterators."""
import ctypes
import datetime as _dt
import os
import threading
from collections import namedtuple
from ctypes import POINTER, byref, c_char_p, c_int32, c_int64, c_size_t, c_void_p, sizeof

from . import _ffi
from .errors import CasemgrError, ConflictError, StateError, UnsupportedError, error_for

CM_ITEROVER = -30
DATE_NONE = -2**31
TIME_NONE = -2**63
ID_BUFSIZE = 65  # CM_ID_BUFSIZE
_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()

AuditEntry = namedtuple("AuditEntry", "time actor action kind record_id revision")
WorkItem = namedtuple("WorkItem", "kind priority due client_id record_kind record_id")
Caseload = namedtuple("Caseload", "manager clients load")
StatusChange = namedtuple("StatusChange", "from_status to_status time actor reason")
Measure = namedtuple("Measure", "numerator denominator median_days")
ClientSummary = namedtuple("ClientSummary", "id status risk_tier next_followup birth_date "
                           "gender revision family given case_manager")
ContactRow = namedtuple("ContactRow", "kind priority due client_id")
EventRow = namedtuple("EventRow", "id time type mode text text_len amends amended_by")


def lib():
    return _ffi.load()


# ---- conversions ------------------------------------------------------------

def enc(text):
    """str -> UTF-8 bytes for const char * (None stays NULL)."""
    if text is None or isinstance(text, bytes):
        return text
    return str(text).encode("utf-8")


def dec(raw):
    return None if raw is None else raw.decode("utf-8")


def to_days(value):
    """date / 'YYYY-MM-DD' / int days / None -> int32 days (DATE_NONE)."""
    if value is None:
        return DATE_NONE
    if isinstance(value, _dt.datetime):
        value = value.astimezone(_dt.timezone.utc).date()
    if isinstance(value, _dt.date):
        return value.toordinal() - _EPOCH_ORDINAL
    if isinstance(value, str):
        out = c_int32()
        check(lib().date_parse(byref(out), enc(value)))
        return out.value
    return int(value)


def from_days(days):
    if days == DATE_NONE:
        return None
    return _dt.date.fromordinal(days + _EPOCH_ORDINAL)


def to_seconds(value):
    """aware datetime / ISO text / int seconds / None -> int64 (TIME_NONE)."""
    if value is None:
        return TIME_NONE
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a timezone (instants are UTC)")
        delta = value - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        return delta.days * 86400 + delta.seconds
    if isinstance(value, str):
        out = c_int64()
        check(lib().time_parse(byref(out), enc(value)))
        return out.value
    return int(value)


def from_seconds(seconds):
    if seconds == TIME_NONE:
        return None
    return _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + _dt.timedelta(seconds=seconds)


def check(rc, store=None):
    """Raise the exception for a negative code, with the store's message."""
    if rc >= 0:
        return rc
    l = lib()
    msg = _errmsg_copy(store._ptr) if store is not None and store._ptr else ""
    if not msg:
        msg = dec(l.strerror(rc))
    raise error_for(rc, msg, dec(l.error_name(rc)))


def _errmsg_copy(store_ptr):
    """cm_store_errmsg_copy: safe while other threads use the store."""
    size = 512
    while True:
        buf = ctypes.create_string_buffer(size)
        n = lib().store_errmsg_copy(store_ptr, buf, size)
        if n < size:
            return buf.value.decode("utf-8", "replace")
        size = n + 1


# ---- allocators -------------------------------------------------------------

class _Closing:
    """close() at once, or at the end of a with block, or (as a fallback)
    when the object is garbage-collected."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


class Allocator:
    """Allocation callbacks in Python. Subclass and implement malloc,
    realloc and free (addresses as ints, 0 for failure). They may be
    called from any thread that calls into the library."""

    def malloc(self, size):
        raise NotImplementedError

    def realloc(self, ptr, size):
        raise NotImplementedError

    def free(self, ptr):
        raise NotImplementedError


class CountingAllocator(Allocator):
    """libc malloc/realloc/free, counting live blocks and bytes (and able to
    fail after a number of allocations, for tests)."""

    def __init__(self, fail_after=None):
        self._libc = ctypes.CDLL(None)
        self._libc.malloc.restype = c_void_p
        self._libc.malloc.argtypes = [c_size_t]
        self._libc.realloc.restype = c_void_p
        self._libc.realloc.argtypes = [c_void_p, c_size_t]
        self._libc.free.restype = None
        self._libc.free.argtypes = [c_void_p]
        self._lock = threading.Lock()
        self.live = {}
        self.allocations = 0
        self.fail_after = fail_after

    @property
    def live_count(self):
        return len(self.live)

    @property
    def live_bytes(self):
        return sum(self.live.values())

    def _failing(self):
        return self.fail_after is not None and self.allocations >= self.fail_after

    def malloc(self, size):
        with self._lock:
            if self._failing():
                return 0
            p = self._libc.malloc(max(size, 1))
            if p:
                self.allocations += 1
                self.live[p] = size
            return p or 0

    def realloc(self, ptr, size):
        with self._lock:
            if self._failing():
                return 0
            p = self._libc.realloc(ptr, max(size, 1))
            if p:
                self.allocations += 1
                self.live.pop(ptr, None)
                self.live[p] = size
            return p or 0

    def free(self, ptr):
        with self._lock:
            if ptr:
                if ptr not in self.live:
                    raise RuntimeError(f"free of unknown block {ptr:#x}")
                del self.live[ptr]
                self._libc.free(ptr)


# ---- storage ----------------------------------------------------------------

class Storage:
    """Host storage, implemented in Python. The library calls these methods
    (storage.h): for each commit begin(), put() per record, commit(), or
    rollback() after a failure; load() once at open, returning an iterable
    of the bytes put() received; close() once when the store is gone.
    Raising an exception fails the operation (CM_ESTORAGE, or the code of
    a CasemgrError raised, e.g. ConflictError from put); errmsg() returns
    the message (by default the last exception's text).

    A storage that several stores (processes) share can also define
    load_since(marker), see there: the store then loads through it at open
    instead of load(), and Store.refresh() takes in what the others
    committed. Without it refresh() raises UnsupportedError.

    Threading (storage.h): callbacks run on the thread that opens the store
    (load or load_since), refreshes it (load_since), commits
    (begin/put/commit/rollback) or drops its last handle (close), never two
    at once for one store. They must not call back into the same store."""

    def begin(self):
        pass

    def put(self, kind, record_id, revision, prev_revision, data):
        raise NotImplementedError("read-only storage")

    def commit(self):
        pass

    def rollback(self):
        pass

    def load(self):
        return ()

    def load_since(self, marker):
        """Optional: the records stored after marker, and the marker of
        what they reach, as a pair (records, new_marker).

        marker is the text this method last returned as new_marker, or
        None for every stored record (at open, and while the store has no
        marker yet). records is an iterable of bytes-like objects, each
        exactly as put() received it; it is read during the call. Records
        given again (a marker that is not exact) are harmless: revisions
        the store holds already are ignored. new_marker is host-defined
        text (a row id or a sequence number, say) of at most
        CM_STORAGE_MARKER_MAX (64) bytes in UTF-8, without NUL characters,
        or None to keep marker as it was; any other value fails the call
        (StorageError) and changes nothing.

        Only a subclass that defines this method gets it called: the table
        is then version 2. This one is never called."""
        raise UnsupportedError("this storage has no load_since")

    def close(self):
        pass

    def errmsg(self):
        return getattr(self, "_last_error", None)


class MemoryStorage(Storage):
    """A Storage keeping records in a Python list (for tests and examples):
    reopening a store on the same MemoryStorage loads them back. Several
    stores may share one, committing one at a time: put() refuses a stale
    write (ConflictError), and a store's refresh() takes in what the others
    committed (load_since's marker is a position in the list)."""

    def __init__(self):
        self.records = []      # committed (kind, id, revision, bytes)
        self.pending = None
        self.closed = 0
        self.fail_next_commit = False
        self._revisions = {}   # (kind, id) -> the revision committed last

    def begin(self):
        self.pending = []

    def put(self, kind, record_id, revision, prev_revision, data):
        stored = self._revisions.get((kind, record_id), 0)
        if stored != prev_revision:
            raise ConflictError(f"{record_id} is at revision {stored} here, "
                                f"not {prev_revision}")
        self.pending.append((kind, record_id, revision, data))

    def commit(self):
        if self.fail_next_commit:
            self.fail_next_commit = False
            raise OSError("disk full (simulated)")
        self.records.extend(self.pending)
        for kind, record_id, revision, _ in self.pending:
            self._revisions[(kind, record_id)] = revision
        self.pending = None

    def rollback(self):
        self.pending = None

    def load(self):
        return [r[3] for r in self.records]

    def load_since(self, marker):
        start = int(marker) if marker else 0
        return [r[3] for r in self.records[start:]], str(len(self.records))

    def close(self):
        self.closed += 1


def _defines_load_since(storage):
    impl = getattr(type(storage), "load_since", None)
    return callable(impl) and impl is not Storage.load_since


def _marker_bytes(marker):
    """The UTF-8 bytes of a marker that load_since returned (None: keep the
    old one); ValueError or TypeError, naming the problem, for one the
    library could not take whole."""
    if marker is None:
        return None
    if not isinstance(marker, str):
        raise TypeError(f"its marker is of type {type(marker).__name__}, not str (or None)")
    if "\0" in marker:
        raise ValueError("its marker holds a NUL character")
    try:
        raw = marker.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f"its marker is not valid text ({e.reason})") from None
    if len(raw) > _ffi.CM_STORAGE_MARKER_MAX:
        raise ValueError(f"its marker is {len(raw)} bytes in UTF-8, more than the "
                         f"{_ffi.CM_STORAGE_MARKER_MAX} allowed")
    return raw


class _StorageBridge:
    """Builds the cm_storage table for a Storage and keeps every callback
    alive for as long as the bridge lives (the Store holds it until the
    library's close callback has run). The table is version 2, with
    load_since, when the storage's class defines load_since; else it is
    version 1."""

    def __init__(self, storage):
        self.storage = storage
        self.msgbuf = None

        def guard(fn):
            def call(*args):
                try:
                    fn(*args)
                    return 0
                except CasemgrError as e:
                    storage._last_error = str(e.message)
                    return e.code if e.code else -13
                except BaseException as e:  # noqa: BLE001 - reported to C
                    storage._last_error = f"{type(e).__name__}: {e}"
                    return -13
            return call

        def put(ctx, kind, rid, rev, prev, data, length):
            storage.put(kind, dec(rid), rev, prev, ctypes.string_at(data, length))

        def feed(records, emit, emit_ctx):
            for data in records:
                buf = ctypes.create_string_buffer(bytes(data), len(data))
                rc = emit(emit_ctx, ctypes.cast(buf, c_void_p), len(data))
                if rc != 0:
                    raise error_for(rc, "record refused while loading")

        def load(ctx, emit, emit_ctx):
            feed(storage.load(), emit, emit_ctx)

        def load_since(ctx, marker, emit, emit_ctx, out_marker, out_marker_size):
            result = storage.load_since(dec(marker))
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise TypeError(f"it returned {type(result).__name__}, not a pair "
                                "(records, new_marker)")
            records, new_marker = result
            raw = _marker_bytes(new_marker)  # refused before any record is fed
            if raw is not None and len(raw) >= out_marker_size:
                raise ValueError(f"its marker is {len(raw)} bytes, more than the "
                                 f"{out_marker_size - 1} the library has room for")
            feed(records, emit, emit_ctx)
            if raw is not None:
                ctypes.memmove(out_marker, raw + b"\0", len(raw) + 1)

        def errmsg(ctx):
            msg = storage.errmsg()
            if msg is None:
                return None
            self.msgbuf = ctypes.create_string_buffer(enc(msg))
            return ctypes.addressof(self.msgbuf)

        since = _defines_load_since(storage)
        self.table = _ffi.cm_storage(
            _ffi.CM_STORAGE_VERSION if since else 1,
            _ffi.storage_ctx_fn(guard(lambda ctx: storage.begin())),
            _ffi.storage_put_fn(guard(put)),
            _ffi.storage_ctx_fn(guard(lambda ctx: storage.commit())),
            _ffi.storage_ctx_fn(guard(lambda ctx: storage.rollback())),
            _ffi.storage_load_fn(guard(load)),
            _ffi.storage_ctx_fn(guard(lambda ctx: storage.close())),
            _ffi.storage_errmsg_fn(errmsg),
            _ffi.storage_load_since_fn(guard(load_since)) if since
            else _ffi.storage_load_since_fn())


# ---- the store --------------------------------------------------------------

class Store(_Closing):
    """A casemgr store. Use as a context manager or call close().

        with casemgr.Store() as store: ...
        Store(allocator=CountingAllocator(), clock=lambda: 1767225600,
              storage=MemoryStorage(), id_seed=42)

    clock: a callable returning seconds since the epoch (int) or an aware
    datetime. Callbacks (allocator, clock, storage, change) are kept alive
    until the library has released the store, which may be after close()
    while records or iterators of the store are still alive.
    """

    def __init__(self, *, allocator=None, clock=None, storage=None, id_seed=0,
                 journal=None, sync="full"):
        """journal: a file path to open the library's own crash-safe journal
        (cm_store_open_journal; sync "full" or "normal") instead of memory or
        host storage."""
        l = lib()
        self._ptr = None
        self._keep = []
        opts = _ffi.cm_store_options()
        check(l.store_options_init(byref(opts), _ffi.CM_STORE_OPTIONS_VERSION))
        opts.id_seed = id_seed
        if allocator is not None:
            fns = (_ffi.cm_malloc_fn(lambda ctx, n: allocator.malloc(n)),
                   _ffi.cm_realloc_fn(lambda ctx, p, n: allocator.realloc(p or 0, n)),
                   _ffi.cm_free_fn(lambda ctx, p: allocator.free(p or 0)))
            opts.malloc_fn, opts.realloc_fn, opts.free_fn = fns
            self._keep += fns
        if clock is not None:
            def clock_cb(ctx, out):
                try:
                    now = clock()
                    out[0] = to_seconds(now) if isinstance(now, _dt.datetime) else int(now)
                    return 0
                except BaseException:  # noqa: BLE001 - reported as CM_ECLOCK
                    return 1
            cb = _ffi.cm_clock_fn(clock_cb)
            opts.clock_fn = cb
            self._keep.append(cb)
        if storage is not None:
            bridge = _StorageBridge(storage)
            opts.storage = ctypes.pointer(bridge.table)
            self._keep.append(bridge)
        self.storage = storage
        errbuf = ctypes.create_string_buffer(512)
        opts.errbuf = ctypes.cast(errbuf, c_char_p)
        opts.errbuf_size = 512
        out = c_void_p()
        if journal is not None:
            if storage is not None:
                raise ValueError("give storage or journal, not both")
            rc = l.store_open_journal(byref(out), os.fsencode(journal),
                                      {"full": 0, "normal": 1}.get(sync, sync), byref(opts))
        else:
            rc = l.store_open(byref(out), byref(opts))
        if rc < 0:
            raise error_for(rc, errbuf.value.decode("utf-8", "replace") or dec(l.strerror(rc)),
                            dec(l.error_name(rc)))
        self._ptr = out.value
        self._change_cb = None

    # life cycle
    def close(self):
        if self._ptr:
            lib().store_close(self._ptr)
            self._ptr = None

    @property
    def closed(self):
        return not self._ptr

    def _p(self):
        if not self._ptr:
            raise StateError("the store is closed", -11, "CM_ESTATE")
        return self._ptr

    @property
    def errmsg(self):
        """The detailed message of the last failure on this store."""
        return _errmsg_copy(self._p())

    def compact(self):
        """Rewrite the journal with only the live records (journal stores)."""
        check(lib().store_compact(self._p()), self)

    def refresh(self):
        """Take in what other stores committed to this store's storage since
        it was opened or last refreshed (cm_store_refresh), all or nothing;
        returns the number of records taken in (0 when nothing was new).
        The storage must define load_since (UnsupportedError otherwise);
        its failure raises StorageError, or the error it raised. Handles
        read before keep their revision: saving one that was replaced
        raises ConflictError."""
        changed = c_size_t()
        check(lib().store_refresh(byref(changed), self._p()), self)
        return changed.value

    def now(self):
        out = c_int64()
        check(lib().store_now(byref(out), self._p()), self)
        return from_seconds(out.value)

    def transaction(self, actor):
        return Transaction(self, actor)

    def on_change(self, fn):
        """Call fn(kind, record_id, revision, action) after each commit
        (None removes it)."""
        if fn is None:
            check(lib().store_set_change_callback(self._p(), _ffi.cm_change_fn(), None), self)
            self._change_cb = None
            return
        def cb(ctx, kind, rid, rev, action):
            try:
                fn(kind, dec(rid), rev, action)
            except BaseException:  # noqa: BLE001 - nothing to report to
                pass
            return 0
        c = _ffi.cm_change_fn(cb)
        check(lib().store_set_change_callback(self._p(), c, None), self)
        self._change_cb = c
        self._keep.append(c)

    # records
    def new_client(self):
        from .records import Client
        return Client._new(self, lib().client_new, self._p())

    def client(self, client_id):
        from .records import Client
        return Client._new(self, lib().client_get, self._p(), enc(client_id))

    def find_client(self, system, value):
        from .records import Client
        return Client._new(self, lib().client_find, self._p(), enc(system), enc(value))

    def _summary(self, fn, *args):
        from .records import CASE_STATUS, GENDER
        out = _ffi.cm_client_summary()
        out.version = _ffi.CM_CLIENT_SUMMARY_VERSION
        check(fn(byref(out), self._p(), *args), self)
        return ClientSummary(dec(out.id), CASE_STATUS.get(out.status), out.risk_tier,
                             from_days(out.next_followup), from_days(out.birth_date),
                             GENDER.get(out.gender), out.revision, dec(out.family) or None,
                             dec(out.given) or None, dec(out.case_manager) or None)

    def client_summary(self, client_id):
        """The commonly read fields of a committed client (ClientSummary),
        copied without a handle: the fast read for a list row."""
        return self._summary(lib().client_get_summary, enc(client_id))

    def find_client_summary(self, system, value):
        """As client_summary, for the client holding identifier (system, value)."""
        return self._summary(lib().client_find_summary, enc(system), enc(value))

    def clients(self, status=0, case_manager=None, name_prefix=None):
        from .records import Client, code_of, CASE_STATUS
        out = c_void_p()
        check(lib().client_list(byref(out), self._p(), code_of(CASE_STATUS, status),
                                enc(case_manager), enc(name_prefix)), self)
        return HandleIterator(self, out.value, Client, lib().client_iter_next,
                              lib().client_iter_count, lib().client_iter_free)

    def new_assessment(self, client_id, instrument):
        from .records import Assessment
        return Assessment._new(self, lib().assessment_new, self._p(), enc(client_id), enc(instrument))

    def assessment(self, assessment_id, revision=None):
        from .records import Assessment
        if revision is None:
            return Assessment._new(self, lib().assessment_get, self._p(), enc(assessment_id))
        return Assessment._new(self, lib().assessment_get_revision, self._p(),
                               enc(assessment_id), revision)

    def new_plan(self, client_id):
        from .records import Plan
        return Plan._new(self, lib().plan_new, self._p(), enc(client_id))

    def plan(self, plan_id, revision=None):
        from .records import Plan
        if revision is None:
            return Plan._new(self, lib().plan_get, self._p(), enc(plan_id))
        return Plan._new(self, lib().plan_get_revision, self._p(), enc(plan_id), revision)

    def new_provider(self, name, kind):
        from .records import Provider, code_of, PROVIDER_KIND
        return Provider._new(self, lib().provider_new, self._p(), enc(name),
                             code_of(PROVIDER_KIND, kind))

    def provider(self, provider_id):
        from .records import Provider
        return Provider._new(self, lib().provider_get, self._p(), enc(provider_id))

    def new_service(self, client_id, category):
        from .records import Service
        return Service._new(self, lib().service_new, self._p(), enc(client_id), enc(category))

    def service(self, service_id):
        from .records import Service
        return Service._new(self, lib().service_get, self._p(), enc(service_id))

    def services(self, client_id):
        from .records import Service
        out = c_void_p()
        check(lib().service_list(byref(out), self._p(), enc(client_id)), self)
        return HandleIterator(self, out.value, Service, lib().service_iter_next,
                              lib().service_iter_count, lib().service_iter_free)

    def new_event(self, client_id, event_type, time):
        from .records import Event, code_of, EVENT_TYPE
        return Event._new(self, lib().event_new, self._p(), enc(client_id),
                          code_of(EVENT_TYPE, event_type), to_seconds(time))

    def event(self, event_id):
        from .records import Event
        return Event._new(self, lib().event_get, self._p(), enc(event_id))

    def timeline(self, client_id, start=None, end=None, newest_first=False):
        """The client's events, as Event objects; each has .amended_by."""
        from .records import Event
        out = c_void_p()
        check(lib().event_timeline(byref(out), self._p(), enc(client_id), to_seconds(start),
                                   to_seconds(end), 1 if newest_first else 0), self)
        return HandleIterator(self, out.value, Event, lib().event_iter_next,
                              lib().event_iter_count, lib().event_iter_free,
                              after=lambda ev, it: setattr(
                                  ev, "amended_by", dec(lib().event_iter_amended_by(it))))

    def timeline_rows(self, client_id, start=None, end=None, newest_first=False, offset=0,
                      limit=50):
        """The rows and order timeline() gives (EventRow), at most `limit`
        after `offset`, copied in one call; returns (rows, total). A row's
        text is the note's first bytes (at most 127, whole characters);
        text_len is the note's full length in bytes: when it is longer,
        event(row.id).text reads all of it."""
        from .records import EVENT_TYPE, CONTACT_MODE
        rows = (_ffi.cm_event_row * max(limit, 1))()
        n, total = c_size_t(), c_size_t()
        check(lib().event_timeline_rows(byref(n), byref(total), rows,
                                        sizeof(_ffi.cm_event_row), limit, self._p(),
                                        enc(client_id), to_seconds(start), to_seconds(end),
                                        1 if newest_first else 0, offset), self)
        return ([EventRow(dec(r.id), from_seconds(r.time), EVENT_TYPE.get(r.type),
                          CONTACT_MODE.get(r.mode), dec(r.text), r.text_len,
                          dec(r.amends) or None, dec(r.amended_by) or None)
                 for r in rows[:n.value]], total.value)

    # queries
    def audit(self, record_id=None, actor=None, start=None, end=None):
        out = c_void_p()
        check(lib().audit_query(byref(out), self._p(), enc(record_id), enc(actor),
                                to_seconds(start), to_seconds(end)), self)
        l = lib()
        return CursorIterator(self, out.value, l.audit_iter_next, l.audit_iter_free,
                              lambda it: AuditEntry(from_seconds(l.audit_iter_time(it)),
                                                    dec(l.audit_iter_actor(it)),
                                                    dec(l.action_name(l.audit_iter_action(it))),
                                                    dec(l.kind_name(l.audit_iter_kind(it))),
                                                    dec(l.audit_iter_record_id(it)),
                                                    l.audit_iter_revision(it)))

    def worklist(self, as_of, case_manager=None, horizon_days=0, kinds=0, offset=0, limit=0):
        """Worklist items (WorkItem) as of a date; kinds: iterable of
        work kinds (ints) or 0 for all."""
        mask = kinds if isinstance(kinds, int) else sum(1 << k for k in kinds)
        out = c_void_p()
        l = lib()
        check(l.worklist_query(byref(out), self._p(), enc(case_manager), to_days(as_of),
                               horizon_days, mask, offset, limit), self)
        from .records import WORK_KIND, PRIORITY, KIND_NAMES
        return CursorIterator(self, out.value, l.worklist_next, l.worklist_free,
                              lambda w: WorkItem(WORK_KIND.get(l.worklist_kind(w)),
                                                 PRIORITY.get(l.worklist_priority(w)),
                                                 from_days(l.worklist_due(w)),
                                                 dec(l.worklist_client_id(w)),
                                                 KIND_NAMES.get(l.worklist_record_kind(w)),
                                                 dec(l.worklist_record_id(w))),
                              count=l.worklist_count, total=l.worklist_total)

    def contact_worklist(self, case_manager, as_of, horizon_days=0, offset=0, limit=50):
        """A case manager's due and overdue contacts (ContactRow), the rows
        and order worklist() gives for the contact kinds, at most `limit`
        after `offset`, read from a covering index; returns (rows, total)."""
        from .records import WORK_KIND, PRIORITY
        rows = (_ffi.cm_contact_row * max(limit, 1))()
        n, total = c_size_t(), c_size_t()
        check(lib().worklist_contacts(byref(n), byref(total), rows,
                                      sizeof(_ffi.cm_contact_row), limit, self._p(),
                                      enc(case_manager), to_days(as_of), horizon_days,
                                      offset), self)
        return ([ContactRow(WORK_KIND.get(r.kind), PRIORITY.get(r.priority), from_days(r.due),
                            dec(r.client_id)) for r in rows[:n.value]], total.value)

    def caseloads(self):
        out = c_void_p()
        l = lib()
        check(l.caseload_list(byref(out), self._p()), self)
        return CursorIterator(self, out.value, l.caseload_iter_next, l.caseload_iter_free,
                              lambda c: Caseload(dec(l.caseload_iter_manager(c)),
                                                 l.caseload_iter_clients(c),
                                                 l.caseload_iter_load(c)))

    def measure(self, measure, start, end, as_of, case_manager=None):
        from .records import code_of, MEASURE
        num, den, med = c_int64(), c_int64(), c_int32()
        check(lib().measure_compute(byref(num), byref(den), byref(med), self._p(),
                                    code_of(MEASURE, measure), to_days(start), to_days(end),
                                    to_days(as_of), enc(case_manager)), self)
        return Measure(num.value, den.value, None if med.value == DATE_NONE else med.value)

    # settings
    def set_contact_interval(self, risk_tier, days):
        check(lib().store_set_contact_interval(self._p(), risk_tier, days), self)

    def contact_interval(self, risk_tier):
        out = c_int32()
        check(lib().store_contact_interval(byref(out), self._p(), risk_tier), self)
        return out.value

    def set_risk_policy(self, instrument, tier2_min, tier3_min, tier4_min):
        check(lib().store_set_risk_policy(self._p(), enc(instrument), tier2_min,
                                          tier3_min, tier4_min), self)

    def set_plan_approval_required(self, required=True):
        check(lib().store_set_plan_approval_required(self._p(), 1 if required else 0), self)

    def register_instrument(self, code, domain, items, bands):
        """items: [(code, min, max, required)]; bands: [(min_score, code,
        severity)] (severity an int or "none"/"low"/"moderate"/"high")."""
        from .records import code_of, SEVERITY
        l = lib()
        out = c_void_p()
        check(l.instrument_new(byref(out), self._p(), enc(code), enc(domain)), self)
        try:
            for icode, lo, hi, req in items:
                check(l.instrument_add_item(out, enc(icode), lo, hi, 1 if req else 0), self)
            for lo, bcode, sev in bands:
                check(l.instrument_add_band(out, lo, enc(bcode), code_of(SEVERITY, sev)), self)
            check(l.store_register_instrument(self._p(), out), self)
        finally:
            l.instrument_free(out)

    def instrument_items(self, instrument):
        """[(code, min, max, required)] of a built-in or registered instrument."""
        l = lib()
        items = []
        code, lo, hi, req = c_char_p(), c_int32(), c_int32(), c_int32()
        while True:
            rc = l.instrument_item_at(byref(code), byref(lo), byref(hi), byref(req),
                                      self._p(), enc(instrument), len(items))
            if rc == -10:
                return items
            check(rc, self)
            items.append((dec(code.value), lo.value, hi.value, bool(req.value)))


class Transaction:
    """A write transaction. As a context manager it commits when the block
    ends normally and rolls back when it raises:

        with store.transaction("jordan.lee") as txn:
            client.save(txn)
    """

    def __init__(self, store, actor):
        self.store = store
        out = c_void_p()
        check(lib().txn_begin(byref(out), store._p(), enc(actor)), store)
        self._ptr = out.value

    def _p(self):
        if not self._ptr:
            raise StateError("the transaction has ended", -11, "CM_ESTATE")
        return self._ptr

    @property
    def time(self):
        return from_seconds(lib().txn_time(self._p()))

    @property
    def actor(self):
        return dec(lib().txn_actor(self._p()))

    def commit(self):
        p = self._p()
        self._ptr = None  # commit always ends the transaction
        check(lib().txn_commit(p), self.store)

    def rollback(self):
        if self._ptr:
            p, self._ptr = self._ptr, None
            lib().txn_rollback(p)

    @property
    def open(self):
        return bool(self._ptr)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            if self._ptr:
                self.commit()
        else:
            self.rollback()
        return False

    def __del__(self):
        try:
            self.rollback()
        except Exception:  # noqa: BLE001
            pass

    def add_event(self, client_id, event_type, time, mode=None, note=None):
        """Record an event in one call, without a handle (cm_event_add):
        a contact with its mode and note, say. Returns the new event's id."""
        from .records import CONTACT_MODE, EVENT_TYPE, code_of
        buf = ctypes.create_string_buffer(ID_BUFSIZE)
        check(lib().event_add(self._p(), buf, ID_BUFSIZE, enc(client_id),
                              code_of(EVENT_TYPE, event_type), to_seconds(time),
                              code_of(CONTACT_MODE, mode), enc(note)), self.store)
        return dec(buf.value)

    def reassign_caseload(self, from_manager, to_manager):
        moved = c_size_t()
        check(lib().caseload_reassign(byref(moved), self._p(), enc(from_manager),
                                      enc(to_manager)), self.store)
        return moved.value


# ---- iterators --------------------------------------------------------------

class _Iter(_Closing):
    def __init__(self, store, ptr, free):
        self.store = store
        self._ptr = ptr
        self._free = free

    def close(self):
        if self._ptr:
            p, self._ptr = self._ptr, None
            self._free(p)

    def __iter__(self):
        return self


class HandleIterator(_Iter):
    """Listing whose next() hands out record handles (clients, services,
    events). Freed when exhausted, on close() or when collected."""

    def __init__(self, store, ptr, cls, next_fn, count_fn, free, after=None):
        super().__init__(store, ptr, free)
        self._cls, self._next, self._count, self._after = cls, next_fn, count_fn, after
        self._len = count_fn(ptr)

    def __len__(self):
        return self._len

    def __next__(self):
        if not self._ptr:
            raise StopIteration
        out = c_void_p()
        rc = self._next(byref(out), self._ptr)
        if rc == CM_ITEROVER:
            self.close()
            raise StopIteration
        check(rc, self.store)
        rec = self._cls(self.store, out.value)
        if self._after:
            self._after(rec, self._ptr)
        return rec


class CursorIterator(_Iter):
    """Listing with a current row (audit trail, worklist, caseloads): yields
    a namedtuple per row. Freed when exhausted."""

    def __init__(self, store, ptr, next_fn, free, row, count=None, total=None):
        super().__init__(store, ptr, free)
        self._next, self._row = next_fn, row
        self.count = count(ptr) if count else None
        self.total = total(ptr) if total else None

    def __next__(self):
        if not self._ptr:
            raise StopIteration
        rc = self._next(self._ptr)
        if rc == CM_ITEROVER:
            self.close()
            raise StopIteration
        check(rc, self.store)
        return self._row(self._ptr)
