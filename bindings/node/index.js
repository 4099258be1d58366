'use strict';
// casemgr for Node: the C library through koffi.
//
//   const cm = require('casemgr');
//   const store = new cm.Store();
//   const client = store.newClient();
//   client.family = 'Rivera';
//   store.transaction('jordan.lee', (txn) => client.save(txn));
//   client.close(); store.close();
//
// Records and iterators own C handles: close() frees them at once; a
// FinalizationRegistry frees forgotten ones. Iterators free themselves when
// exhausted. Calendar dates are 'YYYY-MM-DD' strings (null: none); instants
// are Date objects (seconds, numbers and ISO strings are accepted too).

const { koffi, load, types } = require('./ffi.js');

const lib = load();
const ITEROVER = -30;
const DATE_NONE = -2147483648;
const TIME_NONE = -9223372036854775808n;

// ---- errors ----------------------------------------------------------------

class CasemgrError extends Error {
  constructor(message, code, name) {
    super(message);
    this.name = this.constructor.name;
    if (code !== undefined) this.code = code;
    if (name !== undefined) this.codeName = name;
  }
}

const ERROR_CLASSES = {};
const errorDefs = [
  [-1, 'InvalidArgumentError', 'CM_EINVAL'], [-2, 'NoMemoryError', 'CM_ENOMEM'],
  [-3, 'NotFoundError', 'CM_ENOTFOUND'], [-4, 'ExistsError', 'CM_EEXIST'],
  [-5, 'ConflictError', 'CM_ECONFLICT'], [-6, 'TransitionError', 'CM_ETRANSITION'],
  [-7, 'Utf8Error', 'CM_EUTF8'], [-8, 'TooLongError', 'CM_ETOOLONG'],
  [-9, 'DateError', 'CM_EDATE'], [-10, 'RangeError', 'CM_ERANGE'],
  [-11, 'StateError', 'CM_ESTATE'], [-12, 'VersionError', 'CM_EVERSION'],
  [-13, 'StorageError', 'CM_ESTORAGE'], [-14, 'CorruptError', 'CM_ECORRUPT'],
  [-15, 'BusyError', 'CM_EBUSY'], [-16, 'LockedError', 'CM_ELOCKED'],
  [-17, 'PoisonedError', 'CM_EPOISONED'], [-18, 'IncompleteError', 'CM_EINCOMPLETE'],
  [-19, 'IoError', 'CM_EIO'], [-20, 'UnsupportedError', 'CM_EUNSUPPORTED'],
  [-21, 'ClockError', 'CM_ECLOCK'],
];
const errors = { CasemgrError };
for (const [code, cls, name] of errorDefs) {
  const C = ({ [cls]: class extends CasemgrError {} })[cls];
  C.prototype.code = code;
  C.prototype.codeName = name;
  ERROR_CLASSES[code] = C;
  errors[cls] = C;
}

function errorFor(code, message) {
  const C = ERROR_CLASSES[code];
  if (C) return new C(message);
  return new CasemgrError(message, code, lib.error_name(code));
}

// cm_store_errmsg_copy: safe while other threads use the store.
function errmsgCopy(ptr) {
  let size = 512;
  for (;;) {
    const buf = Buffer.alloc(size);
    const n = lib.store_errmsg_copy(ptr, buf, size);
    if (n < size) return buf.toString('utf8', 0, Math.max(n, 0));
    size = n + 1;
  }
}

function check(rc, store) {
  if (rc >= 0) return rc;
  let msg = '';
  if (store && store._state.ptr) msg = errmsgCopy(store._state.ptr);
  throw errorFor(rc, msg || lib.strerror(rc));
}

// ---- conversions -----------------------------------------------------------

function num(v) { return typeof v === 'bigint' ? Number(v) : v; }

function toDays(value) {
  if (value === null || value === undefined) return DATE_NONE;
  if (typeof value === 'number') return value;
  if (value instanceof Date) return Math.floor(value.getTime() / 86400000);
  const out = [0];
  check(lib.date_parse(out, String(value)));
  return out[0];
}

function fromDays(days) {
  if (days === DATE_NONE) return null;
  const buf = Buffer.alloc(11);
  check(lib.date_format(buf, 11, days));
  return buf.toString('utf8', 0, 10);
}

function toSeconds(value) {
  if (value === null || value === undefined) return TIME_NONE;
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  const out = [0];
  check(lib.time_parse(out, String(value)));
  return out[0];
}

function fromSeconds(s) {
  if (s === null || (typeof s === 'bigint' && s === TIME_NONE)) return null;
  return new Date(num(s) * 1000);
}

function table(fn, lo, hi) {
  const t = {};
  for (let i = lo; i <= hi; i++) { const c = fn(i); if (c !== null) t[i] = c; }
  return t;
}

const CASE_STATUS = table(lib.case_status_code, 1, 7);
const GENDER = table(lib.gender_code, 1, 4);
const ASSESSMENT_STATUS = table(lib.assessment_status_code, 1, 5);
const SEVERITY = table(lib.severity_code, 0, 3);
const PLAN_STATUS = table(lib.plan_status_code, 1, 6);
const PLAN_INTENT = table(lib.plan_intent_code, 1, 4);
const GOAL_STATUS = table(lib.goal_status_code, 1, 9);
const ACHIEVEMENT = table(lib.goal_achievement_code, 1, 9);
const ACTIVITY_STATUS = table(lib.activity_status_code, 1, 8);
const TASK_STATUS = table(lib.task_status_code, 1, 12);
const EVENT_TYPE = table(lib.event_type_code, 1, 14);
const KIND = table(lib.kind_name, 1, 15);
const list = (...names) => Object.fromEntries(names.map((n, i) => [i + 1, n]));
const GOAL_PRIORITY = list('high-priority', 'medium-priority', 'low-priority');
const PRIORITY = list('routine', 'urgent', 'asap', 'stat');
const RESPONSIBLE = list('care-team', 'provider', 'client', 'family');
const PROVIDER_KIND = list('home-health', 'home-infusion-pharmacy', 'inpatient-rehabilitation',
  'skilled-nursing', 'primary-care', 'specialist', 'behavioral-health', 'transportation',
  'interpreter', 'durable-medical-equipment', 'food-assistance', 'housing',
  'community-organisation', 'other');
const INTAKE = list('accepting', 'waitlisted', 'closed');
const NETWORK = list('in', 'out');
const SIDE = list('requester', 'provider');
const AUTH_STATUS = list('requested', 'approved', 'partial', 'denied', 'pended', 'cancelled');
const PARTY = list('payer', 'provider', 'client', 'other');
const FUNDING = list('funded', 'short', 'over');
const CONTACT_MODE = list('phone', 'visit', 'telehealth');
const ID_BUFSIZE = 65; // CM_ID_BUFSIZE
const WORK_KIND = list('contact-due', 'contact-overdue', 'goal-past-target', 'service-no-response',
  'auth-expiring', 'plan-review-due', 'reassessment-due', 'discharge-no-followup',
  'missed-appointment');
const MEASURE = list('readmission-30d', 'followup-7d', 'goal-attainment', 'referral-closure',
  'contact-compliance', 'days-to-first-contact');
const PLAN_ISSUE = list('problem-without-goal', 'goal-without-intervention',
  'intervention-without-goal', 'goal-past-target', 'plan-past-review');

function codeOf(t, value) {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  for (const [k, v] of Object.entries(t)) if (v === value) return Number(k);
  throw new errors.InvalidArgumentError(`unknown code '${value}'; expected one of ${Object.values(t).join(', ')}`);
}
function nameOf(t, v) { return v === 0 ? null : (t[v] ?? v); }

// ---- handles ---------------------------------------------------------------

// Each store has a shared state {ptr, live, closed, callbacks}: handles count
// in `live`; registered callbacks are unregistered only once the store is
// closed and its last handle freed (the library may call them until then).
function release(state) {
  if (state.closed && state.live === 0 && state.callbacks) {
    for (const cb of state.callbacks) koffi.unregister(cb);
    state.callbacks = null;
  }
}

// Fallback for handles (and stores) nobody closed. The held value never
// references the object itself; a store's callbacks stay registered until
// its last handle has gone too.
const finalizer = new FinalizationRegistry(({ free, ptr, state, isStore }) => {
  free(ptr);
  if (isStore) state.closed = true;
  else state.live--;
  release(state);
});

class Handle {
  constructor(store, ptr, free) {
    this.store = store;
    this._ptr = ptr;
    this._free = free;
    store._state.live++;
    this._token = {};
    finalizer.register(this, { free, ptr, state: store._state }, this._token);
  }

  _p() {
    if (!this._ptr) throw new errors.StateError(`this ${this.constructor.name} has been closed`);
    return this._ptr;
  }

  close() {
    if (!this._ptr) return;
    const p = this._ptr;
    this._ptr = null;
    finalizer.unregister(this._token);
    this._free(p);
    this.store._state.live--;
    release(this.store._state);
  }

  get closed() { return !this._ptr; }
}

// ---- iterators -------------------------------------------------------------

class HandleIterator extends Handle {
  constructor(store, ptr, fns, Cls, after) {
    super(store, ptr, fns.free);
    this._next = fns.next;
    this._Cls = Cls;
    this._after = after;
    this.length = num(fns.count(ptr));
  }

  next() {
    if (!this._ptr) return { done: true, value: undefined };
    const out = [null];
    const rc = this._next(out, this._ptr);
    if (rc === ITEROVER) { this.close(); return { done: true, value: undefined }; }
    check(rc, this.store);
    const rec = new this._Cls(this.store, out[0]);
    if (this._after) this._after(rec, this._ptr);
    return { done: false, value: rec };
  }

  return() { this.close(); return { done: true, value: undefined }; }

  [Symbol.iterator]() { return this; }
}

class CursorIterator extends Handle {
  constructor(store, ptr, next, free, row, extra = {}) {
    super(store, ptr, free);
    this._nextFn = next;
    this._row = row;
    Object.assign(this, extra);
  }

  next() {
    if (!this._ptr) return { done: true, value: undefined };
    const rc = this._nextFn(this._ptr);
    if (rc === ITEROVER) { this.close(); return { done: true, value: undefined }; }
    check(rc, this.store);
    return { done: false, value: this._row(this._ptr) };
  }

  return() { this.close(); return { done: true, value: undefined }; }

  [Symbol.iterator]() { return this; }
}

// ---- storage ---------------------------------------------------------------

// Host storage implemented in JavaScript (casemgr/storage.h). The library
// calls begin(), put(kind, id, revision, prevRevision, bytes) per record,
// commit(), or rollback() after a failure; load() once at open returns an
// iterable of Buffers; close() once when the store is gone. Throwing fails
// the operation (CM_ESTORAGE, or the code of a CasemgrError thrown).
//
// A storage that several stores (processes) share can also define
// loadSince(marker), returning { records, marker }: the records stored
// after marker (an iterable of Buffers, each as put() received it) and
// the marker of what they reach. marker is the text loadSince last
// returned, or null for every stored record (at open, and while the store
// has no marker yet); records given again are harmless (revisions the
// store holds are ignored). The new marker is host-defined text (a row id
// or a sequence number, say) of at most 64 bytes in UTF-8
// (CM_STORAGE_MARKER_MAX), without NUL characters, or null/undefined to
// keep the old one; anything else fails the call (StorageError) and
// changes nothing. With it the store loads through loadSince at open
// instead of load(), and store.refresh() takes in what the others
// committed; without it refresh() throws UnsupportedError.
//
// Callbacks run synchronously on the thread that calls the library; they
// must not call back into the same store.
class Storage {
  begin() {}
  put() { throw new Error('read-only storage'); }
  commit() {}
  rollback() {}
  load() { return []; }
  // Optional (see above): called only when a subclass defines it.
  loadSince() { throw new errors.UnsupportedError('this storage has no loadSince'); }
  close() {}
  errmsg() { return this.lastError ?? null; }
}

// Records in an array (for tests and examples): reopening a store on the
// same MemoryStorage loads them back. Several stores may share one,
// committing one at a time: put() refuses a stale write (ConflictError),
// and a store's refresh() takes in what the others committed (loadSince's
// marker is a position in the array).
class MemoryStorage extends Storage {
  constructor() {
    super();
    this.records = []; // committed { kind, id, revision, bytes }
    this.pending = null;
    this.closed = 0;
    this.failNextCommit = false;
    this._revisions = new Map(); // 'kind/id' -> the revision committed last
  }
  begin() { this.pending = []; }
  put(kind, id, revision, prev, bytes) {
    const stored = this._revisions.get(`${kind}/${id}`) ?? 0;
    if (stored !== prev) throw new errors.ConflictError(`${id} is at revision ${stored} here, not ${prev}`);
    this.pending.push({ kind, id, revision, bytes });
  }
  commit() {
    if (this.failNextCommit) { this.failNextCommit = false; throw new Error('disk full (simulated)'); }
    this.records.push(...this.pending);
    for (const r of this.pending) this._revisions.set(`${r.kind}/${r.id}`, r.revision);
    this.pending = null;
  }
  rollback() { this.pending = null; }
  load() { return this.records.map((r) => r.bytes); }
  loadSince(marker) {
    const start = marker ? Number(marker) : 0;
    return { records: this.records.slice(start).map((r) => r.bytes), marker: String(this.records.length) };
  }
  close() { this.closed++; }
}

const STORAGE_MARKER_MAX = 64; // CM_STORAGE_MARKER_MAX

function definesLoadSince(storage) {
  return typeof storage.loadSince === 'function' && storage.loadSince !== Storage.prototype.loadSince;
}

// The UTF-8 bytes of a marker loadSince returned (null: keep the old one);
// throws, naming the problem, for one the library could not take whole.
function markerBytes(marker) {
  if (marker === null || marker === undefined) return null;
  if (typeof marker !== 'string') throw new TypeError(`its marker is of type ${typeof marker}, not a string (or null)`);
  if (marker.includes('\0')) throw new Error('its marker holds a NUL character');
  const bytes = Buffer.from(marker, 'utf8');
  if (bytes.toString('utf8') !== marker) throw new Error('its marker is not valid text (a lone surrogate)');
  if (bytes.length > STORAGE_MARKER_MAX) {
    throw new Error(`its marker is ${bytes.length} bytes in UTF-8, more than the ${STORAGE_MARKER_MAX} allowed`);
  }
  return bytes;
}

function storageTable(storage, callbacks) {
  const msgbuf = koffi.alloc('char', 1024);
  const guard = (fn) => (...args) => {
    try { fn(...args); return 0; } catch (e) {
      storage.lastError = e.message;
      return e instanceof CasemgrError && e.code ? e.code : -13;
    }
  };
  const reg = (fn, proto) => { const cb = koffi.register(fn, koffi.pointer(proto)); callbacks.push(cb); return cb; };
  const t = types;
  const feed = (records, emit, emitCtx) => {
    for (const data of records) {
      const rc = koffi.call(emit, t.cm_storage_emit_fn, emitCtx, data, data.length);
      if (rc !== 0) throw errorFor(rc, 'record refused while loading');
    }
  };
  const since = definesLoadSince(storage);
  const table = {
    version: since ? 2 : 1,
    begin: reg(guard(() => storage.begin()), t.storage_ctx_fn),
    put: reg(guard((ctx, kind, id, rev, prev, bytes, len) =>
      storage.put(kind, id, num(rev), num(prev), Buffer.from(new Uint8Array(koffi.view(bytes, num(len))))  /* a copy: bytes live during the call only */)), t.storage_put_fn),
    commit: reg(guard(() => storage.commit()), t.storage_ctx_fn),
    rollback: reg(guard(() => storage.rollback()), t.storage_ctx_fn),
    load: reg(guard((ctx, emit, emitCtx) => feed(storage.load(), emit, emitCtx)), t.storage_load_fn),
    close: reg(guard(() => storage.close()), t.storage_ctx_fn),
    errmsg: reg(() => {
      const m = storage.errmsg();
      if (m === null || m === undefined) return null;
      const bytes = Buffer.from(String(m), 'utf8').subarray(0, 1023);
      koffi.encode(msgbuf, 'char', bytes.toString('utf8'), 1024);
      return msgbuf;
    }, t.storage_errmsg_fn),
    // Without loadSince, a version-1 table: the library does not read it.
    load_since: since ? reg(guard((ctx, marker, emit, emitCtx, outMarker, outSize) => {
      const result = storage.loadSince(marker);
      if (result === null || typeof result !== 'object' || result.records === undefined) {
        throw new TypeError('it returned no { records, marker } object');
      }
      const bytes = markerBytes(result.marker); // refused before any record is fed
      const size = num(outSize);
      if (bytes && bytes.length >= size) {
        throw new Error(`its marker is ${bytes.length} bytes, more than the ${size - 1} the library has room for`);
      }
      feed(result.records, emit, emitCtx);
      if (bytes) {
        const out = new Uint8Array(koffi.view(outMarker, bytes.length + 1));
        out.set(bytes);
        out[bytes.length] = 0;
      }
    }), t.storage_load_since_fn) : null,
  };
  const mem = koffi.alloc(t.cm_storage, 1);
  koffi.encode(mem, t.cm_storage, table);
  return { mem, msgbuf };
}

// ---- store -----------------------------------------------------------------

class Store {
  // options: { clock: () => seconds | Date, storage: Storage, idSeed,
  //            journal: path, sync: 'full' | 'normal' }
  // journal opens the library's own crash-safe file journal
  // (cm_store_open_journal) instead of memory or host storage.
  // Allocation callbacks are not offered in JavaScript (use Python's).
  constructor(options = {}) {
    this._state = { ptr: null, live: 0, closed: false, callbacks: [] };
    const opts = {};
    const o = {
      version: 2, flags: 0, alloc_ctx: null, malloc_fn: null, realloc_fn: null, free_fn: null,
      clock_ctx: null, clock_fn: null, id_seed: options.idSeed ?? 0, storage: null,
      storage_ctx: null, errbuf: null, errbuf_size: 0,
    };
    Object.assign(opts, o);
    if (options.clock) {
      const clock = options.clock;
      opts.clock_fn = koffi.register((ctx, out) => {
        try {
          const now = clock();
          koffi.encode(out, 'int64_t', now instanceof Date ? Math.floor(now.getTime() / 1000) : now);
          return 0;
        } catch (e) { return 1; }
      }, koffi.pointer(types.cm_clock_fn));
      this._state.callbacks.push(opts.clock_fn);
    }
    if (options.storage) {
      this._storage = storageTable(options.storage, this._state.callbacks);
      opts.storage = this._storage.mem;
      this.storage = options.storage;
    }
    const errbuf = koffi.alloc('char', 512);
    opts.errbuf = errbuf;
    opts.errbuf_size = 512;
    const out = [null];
    let rc;
    if (options.journal !== undefined) {
      if (options.storage) throw new TypeError('give storage or journal, not both');
      rc = lib.store_open_journal(out, options.journal, options.sync === 'normal' ? 1 : 0, opts);
    } else {
      rc = lib.store_open(out, opts);
    }
    if (rc < 0) {
      const msg = koffi.decode(errbuf, 'char', -1);
      this._state.closed = true;
      release(this._state);
      throw errorFor(rc, msg || lib.strerror(rc));
    }
    this._state.ptr = out[0];
    this._token = {};
    finalizer.register(this, { free: lib.store_close, ptr: out[0], state: this._state, isStore: true }, this._token);
  }

  _p() {
    if (!this._state.ptr) throw new errors.StateError('the store is closed');
    return this._state.ptr;
  }

  close() {
    if (!this._state.ptr) return;
    const p = this._state.ptr;
    this._state.ptr = null;
    this._state.closed = true;
    finalizer.unregister(this._token);
    lib.store_close(p);
    release(this._state);
  }

  get closed() { return !this._state.ptr; }
  get errmsg() { return errmsgCopy(this._p()); }
  compact() { check(lib.store_compact(this._p()), this); }

  // Take in what other stores committed to this store's storage since it
  // was opened or last refreshed (cm_store_refresh), all or nothing;
  // returns the number of records taken in (0 when nothing was new). The
  // storage must define loadSince (UnsupportedError otherwise); its failure
  // throws StorageError, or the error it threw. Handles read before keep
  // their revision: saving one that was replaced throws ConflictError.
  refresh() {
    const out = [0];
    check(lib.store_refresh(out, this._p()), this);
    return num(out[0]);
  }

  now() {
    const out = [0];
    check(lib.store_now(out, this._p()), this);
    return fromSeconds(out[0]);
  }

  // transaction(actor) returns an open Transaction; transaction(actor, fn)
  // runs fn(txn), commits if it returns, rolls back if it throws, and
  // returns fn's result.
  transaction(actor, fn) {
    const txn = new Transaction(this, actor);
    if (!fn) return txn;
    let result;
    try {
      result = fn(txn);
    } catch (e) {
      txn.rollback();
      throw e;
    }
    if (txn.open) txn.commit();
    return result;
  }

  onChange(fn) {
    if (!fn) { check(lib.store_set_change_callback(this._p(), null, null), this); return; }
    const cb = koffi.register((ctx, kind, id, rev, action) => {
      try { fn(KIND[kind] ?? kind, id, num(rev), action); } catch (e) { /* nothing to report to */ }
      return 0;
    }, koffi.pointer(types.cm_change_fn));
    this._state.callbacks.push(cb);
    check(lib.store_set_change_callback(this._p(), cb, null), this);
  }

  _make(Cls, fn, ...args) {
    const out = [null];
    check(fn(out, this._p(), ...args), this);
    return new Cls(this, out[0]);
  }

  newClient() { return this._make(Client, lib.client_new); }
  client(id) { return this._make(Client, lib.client_get, id); }
  findClient(system, value) { return this._make(Client, lib.client_find, system, value); }
  _summary(fn, ...args) {
    const out = { version: 1 };
    check(fn(out, this._p(), ...args), this);
    return {
      id: out.id, status: nameOf(CASE_STATUS, out.status), riskTier: out.risk_tier,
      nextFollowup: fromDays(out.next_followup), birthDate: fromDays(out.birth_date),
      gender: nameOf(GENDER, out.gender), revision: num(out.revision),
      family: out.family || null, given: out.given || null, caseManager: out.case_manager || null,
    };
  }
  /** The commonly read fields of a committed client, without a handle. */
  clientSummary(id) { return this._summary(lib.client_get_summary, id); }
  findClientSummary(system, value) { return this._summary(lib.client_find_summary, system, value); }
  clients({ status = 0, caseManager = null, namePrefix = null } = {}) {
    const out = [null];
    check(lib.client_list(out, this._p(), codeOf(CASE_STATUS, status), caseManager, namePrefix), this);
    return new HandleIterator(this, out[0], { next: lib.client_iter_next, count: lib.client_iter_count, free: lib.client_iter_free }, Client);
  }

  newAssessment(clientId, instrument) { return this._make(Assessment, lib.assessment_new, clientId, instrument); }
  assessment(id, revision) {
    return revision === undefined ? this._make(Assessment, lib.assessment_get, id)
      : this._make(Assessment, lib.assessment_get_revision, id, revision);
  }

  newPlan(clientId) { return this._make(Plan, lib.plan_new, clientId); }
  plan(id, revision) {
    return revision === undefined ? this._make(Plan, lib.plan_get, id)
      : this._make(Plan, lib.plan_get_revision, id, revision);
  }

  newProvider(name, kind) { return this._make(Provider, lib.provider_new, name, codeOf(PROVIDER_KIND, kind)); }
  provider(id) { return this._make(Provider, lib.provider_get, id); }

  newService(clientId, category) { return this._make(Service, lib.service_new, clientId, category); }
  service(id) { return this._make(Service, lib.service_get, id); }
  services(clientId) {
    const out = [null];
    check(lib.service_list(out, this._p(), clientId), this);
    return new HandleIterator(this, out[0], { next: lib.service_iter_next, count: lib.service_iter_count, free: lib.service_iter_free }, Service);
  }

  newEvent(clientId, type, time) {
    return this._make(Event, lib.event_new, clientId, codeOf(EVENT_TYPE, type), toSeconds(time));
  }
  event(id) { return this._make(Event, lib.event_get, id); }
  timeline(clientId, { from = null, to = null, newestFirst = false } = {}) {
    const out = [null];
    check(lib.event_timeline(out, this._p(), clientId, toSeconds(from), toSeconds(to), newestFirst ? 1 : 0), this);
    return new HandleIterator(this, out[0], { next: lib.event_iter_next, count: lib.event_iter_count, free: lib.event_iter_free },
      Event, (ev, it) => { ev.amendedBy = lib.event_iter_amended_by(it); });
  }
  /** The rows and order timeline() gives, copied in one call:
   *  { rows: [{ id, time, type, mode, text, textLen, amends, amendedBy }], total }
   *  (at most limit rows after offset). text is the note's first bytes (at
   *  most 127, whole characters); textLen is its full length in bytes: when
   *  it is longer, event(id).text reads all of it. */
  timelineRows(clientId, { from = null, to = null, newestFirst = false, offset = 0, limit = 50 } = {}) {
    const rows = Array.from({ length: limit }, () => ({}));
    const n = [0], total = [0];
    check(lib.event_timeline_rows(n, total, limit ? rows : null, koffi.sizeof(types.cm_event_row), limit,
                                  this._p(), clientId, toSeconds(from), toSeconds(to), newestFirst ? 1 : 0,
                                  offset), this);
    return {
      rows: rows.slice(0, num(n[0])).map((r) => ({
        id: r.id, time: fromSeconds(r.time), type: EVENT_TYPE[r.type], mode: nameOf(CONTACT_MODE, r.mode),
        text: r.text, textLen: num(r.text_len), amends: r.amends || null, amendedBy: r.amended_by || null,
      })),
      total: num(total[0]),
    };
  }

  audit({ recordId = null, actor = null, from = null, to = null } = {}) {
    const out = [null];
    check(lib.audit_query(out, this._p(), recordId, actor, toSeconds(from), toSeconds(to)), this);
    return new CursorIterator(this, out[0], lib.audit_iter_next, lib.audit_iter_free, (it) => ({
      time: fromSeconds(lib.audit_iter_time(it)),
      actor: lib.audit_iter_actor(it),
      action: lib.action_name(lib.audit_iter_action(it)),
      kind: lib.kind_name(lib.audit_iter_kind(it)),
      recordId: lib.audit_iter_record_id(it),
      revision: num(lib.audit_iter_revision(it)),
    }));
  }

  /** A case manager's due and overdue contacts from the covering index:
   *  { rows: [{ kind, priority, due, clientId }], total } (at most limit rows). */
  contactWorklist(caseManager, asOf, { horizonDays = 0, offset = 0, limit = 50 } = {}) {
    const rows = Array.from({ length: limit }, () => ({}));
    const n = [0], total = [0];
    check(lib.worklist_contacts(n, total, limit ? rows : null, koffi.sizeof(types.cm_contact_row), limit, this._p(),
                                caseManager, toDays(asOf), horizonDays, offset), this);
    return {
      rows: rows.slice(0, num(n[0])).map((r) => ({
        kind: nameOf(WORK_KIND, r.kind), priority: nameOf(PRIORITY, r.priority),
        due: fromDays(r.due), clientId: r.client_id,
      })),
      total: num(total[0]),
    };
  }
  worklist(asOf, { caseManager = null, horizonDays = 0, kinds = 0, offset = 0, limit = 0 } = {}) {
    const mask = Array.isArray(kinds) ? kinds.reduce((m, k) => m | (1 << codeOf(WORK_KIND, k)), 0) : kinds;
    const out = [null];
    check(lib.worklist_query(out, this._p(), caseManager, toDays(asOf), horizonDays, mask, offset, limit), this);
    const ptr = out[0];
    return new CursorIterator(this, ptr, lib.worklist_next, lib.worklist_free, (w) => ({
      kind: nameOf(WORK_KIND, lib.worklist_kind(w)),
      priority: nameOf(PRIORITY, lib.worklist_priority(w)),
      due: fromDays(lib.worklist_due(w)),
      clientId: lib.worklist_client_id(w),
      recordKind: KIND[lib.worklist_record_kind(w)] ?? null,
      recordId: lib.worklist_record_id(w),
    }), { count: num(lib.worklist_count(ptr)), total: num(lib.worklist_total(ptr)) });
  }

  caseloads() {
    const out = [null];
    check(lib.caseload_list(out, this._p()), this);
    return new CursorIterator(this, out[0], lib.caseload_iter_next, lib.caseload_iter_free, (c) => ({
      manager: lib.caseload_iter_manager(c),
      clients: num(lib.caseload_iter_clients(c)),
      load: num(lib.caseload_iter_load(c)),
    }));
  }

  measure(measure, from, to, asOf, caseManager = null) {
    const n = [0]; const d = [0]; const m = [0];
    check(lib.measure_compute(n, d, m, this._p(), codeOf(MEASURE, measure), toDays(from), toDays(to), toDays(asOf), caseManager), this);
    return { numerator: num(n[0]), denominator: num(d[0]), medianDays: m[0] === DATE_NONE ? null : m[0] };
  }

  setContactInterval(tier, days) { check(lib.store_set_contact_interval(this._p(), tier, days), this); }
  contactInterval(tier) { const o = [0]; check(lib.store_contact_interval(o, this._p(), tier), this); return o[0]; }
  setRiskPolicy(instrument, t2, t3, t4) { check(lib.store_set_risk_policy(this._p(), instrument, t2, t3, t4), this); }
  setPlanApprovalRequired(required = true) { check(lib.store_set_plan_approval_required(this._p(), required ? 1 : 0), this); }

  // items: [[code, min, max, required]]; bands: [[minScore, code, severity]]
  registerInstrument(code, domain, items, bands) {
    const out = [null];
    check(lib.instrument_new(out, this._p(), code, domain), this);
    try {
      for (const [c, lo, hi, req] of items) check(lib.instrument_add_item(out[0], c, lo, hi, req ? 1 : 0), this);
      for (const [lo, c, sev] of bands) check(lib.instrument_add_band(out[0], lo, c, codeOf(SEVERITY, sev)), this);
      check(lib.store_register_instrument(this._p(), out[0]), this);
    } finally {
      lib.instrument_free(out[0]);
    }
  }

  // [{code, min, max, required}] of a built-in or registered instrument
  instrumentItems(instrument) {
    const items = [];
    for (;;) {
      const c = [null]; const lo = [0]; const hi = [0]; const req = [0];
      const rc = lib.instrument_item_at(c, lo, hi, req, this._p(), instrument, items.length);
      if (rc === -10) return items;
      check(rc, this);
      items.push({ code: c[0], min: lo[0], max: hi[0], required: !!req[0] });
    }
  }
}

class Transaction {
  constructor(store, actor) {
    this.store = store;
    const out = [null];
    check(lib.txn_begin(out, store._p(), actor), store);
    this._ptr = out[0];
  }

  _p() {
    if (!this._ptr) throw new errors.StateError('the transaction has ended');
    return this._ptr;
  }

  get open() { return !!this._ptr; }
  get time() { return fromSeconds(lib.txn_time(this._p())); }
  get actor() { return lib.txn_actor(this._p()); }

  commit() {
    const p = this._p();
    this._ptr = null; // commit always ends the transaction
    check(lib.txn_commit(p), this.store);
  }

  rollback() {
    if (!this._ptr) return;
    const p = this._ptr;
    this._ptr = null;
    lib.txn_rollback(p);
  }

  // Record an event in one call, without a handle (cm_event_add): a
  // contact with its mode and note, say. Returns the new event's id.
  addEvent(clientId, type, time, { mode = null, note = null } = {}) {
    const buf = Buffer.alloc(ID_BUFSIZE);
    check(lib.event_add(this._p(), buf, ID_BUFSIZE, clientId, codeOf(EVENT_TYPE, type), toSeconds(time),
      codeOf(CONTACT_MODE, mode), note), this.store);
    return buf.toString('utf8', 0, buf.indexOf(0));
  }

  reassignCaseload(from, to) {
    const out = [0];
    check(lib.caseload_reassign(out, this._p(), from, to), this.store);
    return num(out[0]);
  }
}

// ---- records ---------------------------------------------------------------

function defineFields(Cls, prefix, textFields, intFields) {
  for (const [name, field] of Object.entries(textFields)) {
    Object.defineProperty(Cls.prototype, name, {
      get() { return lib[`${prefix}_text`](this._p(), field); },
      set(v) { check(lib[`${prefix}_set_text`](this._p(), field, v ?? null), this.store); },
    });
  }
  for (const [name, [field, kind, t]] of Object.entries(intFields)) {
    Object.defineProperty(Cls.prototype, name, {
      get() {
        const out = [0];
        check(lib[`${prefix}_get_int`](out, this._p(), field), this.store);
        const v = out[0];
        if (kind === 'date') return fromDays(num(v));
        if (kind === 'time') return fromSeconds(v);
        if (kind === 'bool') return !!num(v);
        if (kind === 'enum') return nameOf(t, num(v));
        return num(v);
      },
      set(v) {
        let c;
        if (kind === 'date') c = toDays(v);
        else if (kind === 'time') c = toSeconds(v);
        else if (kind === 'enum') c = codeOf(t, v);
        else c = Number(v);
        check(lib[`${prefix}_set_int`](this._p(), field, c), this.store);
      },
    });
  }
}

function history(count, at, rec, ...extra) {
  const out = [];
  const n = num(count(rec._p(), ...extra));
  for (let i = 0; i < n; i++) {
    const f = [0]; const t = [0]; const tm = [0]; const a = [null]; const r = [null];
    check(at(f, t, tm, a, r, rec._p(), ...extra, i), rec.store);
    out.push({ from: f[0], to: t[0], time: fromSeconds(tm[0]), actor: a[0], reason: r[0] });
  }
  return out;
}

class Record extends Handle {
  constructor(store, ptr) { super(store, ptr, lib[`${new.target.prefix}_free`]); }
  _fn(s) { return lib[`${this.constructor.prefix}_${s}`]; }
  get id() { return this._fn('id')(this._p()); }
  get revision() { return num(this._fn('revision')(this._p())); }
  save(txn) { check(this._fn('save')(txn._p(), this._p()), this.store); return this; }
}

class Client extends Record {
  static prefix = 'client';
  get status() { return CASE_STATUS[lib.client_status(this._p())]; }
  setStatus(status, reason) { check(lib.client_set_status(this._p(), codeOf(CASE_STATUS, status), reason), this.store); }
  get statusHistory() { return history(lib.client_status_history_count, lib.client_status_history_at, this); }
  get created() { return fromSeconds(lib.client_created(this._p())); }
  get updated() { return fromSeconds(lib.client_updated(this._p())); }
  setId(id) { check(lib.client_set_id(this._p(), id), this.store); }
  setIdentifier(system, value) { check(lib.client_set_identifier(this._p(), system, value), this.store); }
  identifier(system) { return lib.client_identifier(this._p(), system); }
  get identifiers() {
    const o = {};
    for (let i = 0; i < num(lib.client_identifier_count(this._p())); i++) {
      const s = [null]; const v = [null];
      check(lib.client_identifier_at(s, v, this._p(), i), this.store);
      o[s[0]] = v[0];
    }
    return o;
  }
  addCoverage(payer, memberId = null, plan = null) { check(lib.client_add_coverage(this._p(), payer, memberId, plan), this.store); }
  removeCoverage(i) { check(lib.client_remove_coverage(this._p(), i), this.store); }
  get coverages() {
    const o = [];
    for (let i = 0; i < num(lib.client_coverage_count(this._p())); i++) {
      const a = [null]; const b = [null]; const c = [null];
      check(lib.client_coverage_at(a, b, c, this._p(), i), this.store);
      o.push({ payer: a[0], memberId: b[0], plan: c[0] });
    }
    return o;
  }
  addCareTeamMember(role, name, contact = null) { check(lib.client_add_care_team_member(this._p(), role, name, contact), this.store); }
  removeCareTeamMember(i) { check(lib.client_remove_care_team_member(this._p(), i), this.store); }
  get careTeam() {
    const o = [];
    for (let i = 0; i < num(lib.client_care_team_count(this._p())); i++) {
      const a = [null]; const b = [null]; const c = [null];
      check(lib.client_care_team_at(a, b, c, this._p(), i), this.store);
      o.push({ role: a[0], name: b[0], contact: c[0] });
    }
    return o;
  }
  recordContact(txn, event) { check(lib.client_record_contact(txn._p(), this._p(), event._p()), this.store); }
}
defineFields(Client, 'client',
  { family: 1, given: 2, language: 3, phone: 4, email: 5, address: 6, program: 7, caseManager: 8 },
  { birthDate: [1, 'date'], gender: [2, 'enum', GENDER], interpreter: [3, 'bool'], riskTier: [4], nextFollowup: [5, 'date'] });

class Assessment extends Record {
  static prefix = 'assessment';
  get clientId() { return lib.assessment_client_id(this._p()); }
  get instrument() { return lib.assessment_instrument(this._p()); }
  get created() { return fromSeconds(lib.assessment_created(this._p())); }
  get updated() { return fromSeconds(lib.assessment_updated(this._p())); }
  get status() { return ASSESSMENT_STATUS[lib.assessment_status(this._p())]; }
  setStatus(status, reason) { check(lib.assessment_set_status(this._p(), codeOf(ASSESSMENT_STATUS, status), reason), this.store); }
  get statusHistory() { return history(lib.assessment_status_history_count, lib.assessment_status_history_at, this); }
  setAnswer(item, value) { check(lib.assessment_set_answer(this._p(), item, value), this.store); }
  setAnswers(obj) { for (const [k, v] of Object.entries(obj)) this.setAnswer(k, v); }
  clearAnswer(item) { check(lib.assessment_clear_answer(this._p(), item), this.store); }
  answer(item) { const o = [0]; check(lib.assessment_answer(o, this._p(), item), this.store); return o[0]; }
  get answers() {
    const o = {};
    for (let i = 0; i < num(lib.assessment_answer_count(this._p())); i++) {
      const k = [null]; const v = [0];
      check(lib.assessment_answer_at(k, v, this._p(), i), this.store);
      o[k[0]] = v[0];
    }
    return o;
  }
  get score() {
    const t = [0]; const b = [null]; const f = [0];
    check(lib.assessment_score(t, b, f, this._p()), this.store);
    return { total: t[0], band: b[0], flags: f[0] };
  }
  get components() {
    const o = {};
    for (let i = 0; i < num(lib.assessment_component_count(this._p())); i++) {
      const k = [null]; const v = [0];
      check(lib.assessment_component_at(k, v, this._p(), i), this.store);
      o[k[0]] = v[0];
    }
    return o;
  }
  get findings() {
    const o = [];
    for (let i = 0; i < num(lib.assessment_finding_count(this._p())); i++) {
      const d = [null]; const s = [0];
      check(lib.assessment_finding_at(d, s, this._p(), i), this.store);
      o.push({ domain: d[0], severity: SEVERITY[s[0]] });
    }
    return o;
  }
  get riskTier() { const o = [0]; check(lib.assessment_risk_tier(o, this._p()), this.store); return o[0]; }
  applyRiskTier(txn, client) { check(lib.assessment_apply_risk_tier(txn._p(), this._p(), client._p()), this.store); }
}
defineFields(Assessment, 'assessment', { assessor: 1, note: 2 }, { time: [1, 'time'] });

// Plan elements are views on the plan handle (ids "p1", "g2", "i3").
class Element {
  constructor(plan, id) { this.plan = plan; this.id = id; }
  _text(f) { return lib.plan_element_text(this.plan._p(), this.id, f); }
  _setText(f, v) { check(lib.plan_element_set_text(this.plan._p(), this.id, f, v ?? null), this.plan.store); }
  _int(f) { const o = [0]; check(lib.plan_element_get_int(o, this.plan._p(), this.id, f), this.plan.store); return num(o[0]); }
  _setInt(f, v) { check(lib.plan_element_set_int(this.plan._p(), this.id, f, v), this.plan.store); }
  get links() {
    const n = num(lib.plan_link_count(this.plan._p(), this.id));
    const o = [];
    for (let i = 0; i < n; i++) o.push(this.plan.element(lib.plan_link_at(this.plan._p(), this.id, i)));
    return o;
  }
  link(target) { check(lib.plan_link(this.plan._p(), this.id, target.id ?? target), this.plan.store); }
  get status() {
    const o = [0];
    check(lib.plan_element_status(o, this.plan._p(), this.id), this.plan.store);
    return this.constructor.statuses[o[0]];
  }
  setStatus(status, reason) {
    check(lib.plan_element_set_status(this.plan._p(), this.id, codeOf(this.constructor.statuses, status), reason), this.plan.store);
  }
  get statusHistory() { return history(lib.plan_element_history_count, lib.plan_element_history_at, this.plan, this.id); }
}

function defineElementFields(Cls, textFields, intFields) {
  for (const [name, f] of Object.entries(textFields)) {
    Object.defineProperty(Cls.prototype, name, { get() { return this._text(f); }, set(v) { this._setText(f, v); } });
  }
  for (const [name, [f, kind, t]] of Object.entries(intFields)) {
    Object.defineProperty(Cls.prototype, name, {
      get() { const v = this._int(f); return kind === 'date' ? fromDays(v) : kind === 'enum' ? nameOf(t, v) : v; },
      set(v) { this._setInt(f, kind === 'date' ? toDays(v) : kind === 'enum' ? codeOf(t, v) : v); },
    });
  }
}

class Problem extends Element {}
defineElementFields(Problem, { description: 1, findingSource: 4, findingDomain: 5 }, {});

class Goal extends Element {
  static statuses = GOAL_STATUS;
  get achievement() { return nameOf(ACHIEVEMENT, this._int(3)); }
  setAchievement(a, reason) {
    check(lib.plan_goal_set_achievement(this.plan._p(), this.id, codeOf(ACHIEVEMENT, a), reason), this.plan.store);
  }
  get achievementHistory() {
    return history(lib.plan_goal_achievement_history_count, lib.plan_goal_achievement_history_at, this.plan, this.id);
  }
  addNote(text) { check(lib.plan_goal_add_note(this.plan._p(), this.id, text), this.plan.store); }
  get notes() {
    const o = [];
    for (let i = 0; i < num(lib.plan_goal_note_count(this.plan._p(), this.id)); i++) {
      const t = [0]; const a = [null]; const x = [null]; const ach = [0];
      check(lib.plan_goal_note_at(t, a, x, ach, this.plan._p(), this.id, i), this.plan.store);
      o.push({ time: fromSeconds(t[0]), author: a[0], text: x[0], achievement: nameOf(ACHIEVEMENT, ach[0]) });
    }
    return o;
  }
}
defineElementFields(Goal, { description: 1, measure: 2, targetValue: 3 },
  { targetDate: [1, 'date'], priority: [2, 'enum', GOAL_PRIORITY], gasLevel: [4], gasWeight: [5] });

class Intervention extends Element {
  static statuses = ACTIVITY_STATUS;
}
defineElementFields(Intervention, { what: 6, responsible: 7 },
  { dueDate: [6, 'date'], responsibleKind: [7, 'enum', RESPONSIBLE] });

const ELEMENTS = { p: Problem, g: Goal, i: Intervention };

class Plan extends Record {
  static prefix = 'plan';
  get clientId() { return lib.plan_client_id(this._p()); }
  get created() { return fromSeconds(lib.plan_created(this._p())); }
  get updated() { return fromSeconds(lib.plan_updated(this._p())); }
  get status() { return PLAN_STATUS[lib.plan_status(this._p())]; }
  setStatus(status, reason) { check(lib.plan_set_status(this._p(), codeOf(PLAN_STATUS, status), reason), this.store); }
  get statusHistory() { return history(lib.plan_status_history_count, lib.plan_status_history_at, this); }
  approve(approver, time) { check(lib.plan_approve(this._p(), approver, toSeconds(time)), this.store); }
  get approval() {
    const a = [null]; const t = [0];
    const rc = lib.plan_approval(a, t, this._p());
    if (rc === -3) return null;
    check(rc, this.store);
    return { approver: a[0], time: fromSeconds(t[0]) };
  }
  element(id) { return new ELEMENTS[id[0]](this, id); }
  _add(fn, ...args) { const o = [null]; check(fn(o, this._p(), ...args), this.store); return this.element(o[0]); }
  addProblem(description, assessmentId = null, findingDomain = null) {
    return this._add(lib.plan_add_problem, description, assessmentId, findingDomain);
  }
  addGoal(description, { addresses = [] } = {}) {
    const g = this._add(lib.plan_add_goal, description);
    for (const p of addresses) g.link(p);
    return g;
  }
  addIntervention(what, kind, responsible = null, { serves = [] } = {}) {
    const i = this._add(lib.plan_add_intervention, what, codeOf(RESPONSIBLE, kind), responsible);
    for (const g of serves) i.link(g);
    return i;
  }
  _elements(kind) {
    const o = [];
    for (let i = 0; i < num(lib.plan_element_count(this._p(), kind)); i++) o.push(this.element(lib.plan_element_id(this._p(), kind, i)));
    return o;
  }
  get problems() { return this._elements(112); }
  get goals() { return this._elements(103); }
  get interventions() { return this._elements(105); }
  check(asOf) {
    const rep = [null];
    check(lib.plan_check(rep, this._p(), toDays(asOf)), this.store);
    try {
      const o = [];
      for (let i = 0; i < num(lib.plan_report_count(rep[0])); i++) {
        const k = [0]; const e = [null];
        check(lib.plan_report_at(k, e, rep[0], i), this.store);
        o.push({ issue: nameOf(PLAN_ISSUE, k[0]), elementId: e[0] });
      }
      return o;
    } finally {
      lib.plan_report_free(rep[0]);
    }
  }
  get gasTscore() { const o = [0]; check(lib.plan_gas_tscore(o, this._p()), this.store); return o[0] / 100; }
}
defineFields(Plan, 'plan', { title: 1, description: 2, author: 3 },
  { intent: [1, 'enum', PLAN_INTENT], periodStart: [2, 'date'], periodEnd: [3, 'date'], nextReview: [4, 'date'] });

class Provider extends Record {
  static prefix = 'provider';
  setNetwork(payer, status) { check(lib.provider_set_network(this._p(), payer, codeOf(NETWORK, status)), this.store); }
  network(payer) {
    const o = [0];
    const rc = lib.provider_network(o, this._p(), payer);
    if (rc === -3) return null;
    check(rc, this.store);
    return NETWORK[o[0]];
  }
}
defineFields(Provider, 'provider', { name: 1, contact: 2 },
  { kind: [1, 'enum', PROVIDER_KIND], intake: [2, 'enum', INTAKE] });

class Service extends Record {
  static prefix = 'service';
  get clientId() { return lib.service_client_id(this._p()); }
  get status() { return TASK_STATUS[lib.service_status(this._p())]; }
  setStatus(side, status, reason) {
    check(lib.service_set_status(this._p(), codeOf(SIDE, side), codeOf(TASK_STATUS, status), reason), this.store);
  }
  get statusHistory() { return history(lib.service_status_history_count, lib.service_status_history_at, this); }
  get statusSide() { return SIDE[lib.task_status_side(lib.service_status(this._p()))] ?? null; }
  // amount in minor units (cents)
  addShare(party, name, amount) { check(lib.service_add_share(this._p(), codeOf(PARTY, party), name, amount), this.store); }
  removeShare(i) { check(lib.service_remove_share(this._p(), i), this.store); }
  get shares() {
    const o = [];
    for (let i = 0; i < num(lib.service_share_count(this._p())); i++) {
      const p = [0]; const n = [null]; const a = [0];
      check(lib.service_share_at(p, n, a, this._p(), i), this.store);
      o.push({ party: PARTY[p[0]], name: n[0], amount: num(a[0]) });
    }
    return o;
  }
  fundingCheck() {
    const s = [0]; const d = [0];
    check(lib.service_funding_check(s, d, this._p()), this.store);
    return { state: FUNDING[s[0]], difference: num(d[0]) };
  }
}
defineFields(Service, 'service',
  { category: 1, providerId: 2, planId: 3, planElement: 4, description: 5, authReference: 6 },
  {
    priority: [1, 'enum', PRIORITY], requestedDate: [2, 'date'], acceptedDate: [3, 'date'],
    scheduledDate: [4, 'date'], startedDate: [5, 'date'], completedDate: [6, 'date'],
    responseDeadline: [7, 'date'], authStatus: [8, 'enum', AUTH_STATUS], authUnitsRequested: [9],
    authUnitsApproved: [10], authUnitsUsed: [11], authValidFrom: [12, 'date'], authValidTo: [13, 'date'],
    totalCost: [14],
  });

class Event extends Record {
  static prefix = 'event';
  get clientId() { return lib.event_client_id(this._p()); }
  get type() { return EVENT_TYPE[lib.event_type(this._p())]; }
  get recorded() { return fromSeconds(lib.event_recorded(this._p())); }
  get amends() { return lib.event_amends(this._p()); }
  set amends(ev) { check(lib.event_set_amends(this._p(), ev?.id ?? ev ?? null), this.store); }
}
defineFields(Event, 'event',
  { actor: 1, outcome: 2, text: 3, planId: 4, goalId: 5, serviceId: 6, disposition: 7 },
  { time: [1, 'time'], mode: [2, 'enum', CONTACT_MODE] });

module.exports = {
  ...errors,
  errorFor,
  Store, Transaction, Storage, MemoryStorage,
  Client, Assessment, Plan, Problem, Goal, Intervention, Provider, Service, Event,
  version: () => lib.version_string(),
  versionNumber: () => lib.version(),
  formatTime: (t) => { const b = Buffer.alloc(21); check(lib.time_format(b, 21, toSeconds(t))); return b.toString('utf8', 0, 20); },
  timeToDate: (t) => { const o = [0]; check(lib.time_to_date(o, toSeconds(t))); return fromDays(o[0]); },
  dateFromYmd: (y, m, d) => { const o = [0]; check(lib.date_from_ymd(o, y, m, d)); return fromDays(o[0]); },
  utf8Check: (text, maxBytes) => { check(lib.utf8_check(text, maxBytes)); },
  crc32c: (buf, crc = 0) => lib.crc32c(crc, buf, buf.length),
  taskStatusSide: (status) => SIDE[lib.task_status_side(codeOf(TASK_STATUS, status))] ?? null,
  strerror: (code) => lib.strerror(code),
  errorName: (code) => lib.error_name(code),
  parseDate: (text) => fromDays(toDays(String(text))),
  parseTime: (text) => fromSeconds(toSeconds(String(text))),
  toDays, fromDays, toSeconds, fromSeconds,
  lib,
};
