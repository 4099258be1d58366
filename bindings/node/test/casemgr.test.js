'use strict';
// Tests of the Node binding (node --test; CASEMGR_LIB names the library).
// koffi must be installed: without it require() throws and the run fails.
const test = require('node:test');
const assert = require('node:assert/strict');
const cm = require('..');
const { FUNCTIONS } = require('../ffi.js');

const T0 = 1767225600; // 2026-01-01T00:00:00Z
const clock = () => T0;

function enrolled(store, family = 'Rivera', mrn = null) {
  const c = store.newClient();
  c.family = family;
  c.given = 'Ana';
  if (mrn) c.setIdentifier('MRN', mrn);
  c.setStatus('active', 'enrolled');
  store.transaction('intake', (txn) => c.save(txn));
  return c;
}

test('every declared function resolves', () => {
  assert.ok(FUNCTIONS.length > 250);
  for (const name of cm.lib.missing) assert.ok(['cm_store_open_journal', 'cm_store_compact'].includes(name), name);
  assert.match(cm.version(), /^\d+\.\d+\.\d+$/);
  assert.equal(cm.errorName(-3), 'CM_ENOTFOUND');
});

test('dates and times', () => {
  assert.equal(cm.parseDate('1948-02-29'), '1948-02-29');
  assert.throws(() => cm.parseDate('2026-02-30'), cm.DateError);
  assert.equal(cm.parseTime('2026-01-01T01:00:00+01:00').getTime(), T0 * 1000);
  assert.equal(cm.formatTime(T0), '2026-01-01T00:00:00Z');
  assert.equal(cm.timeToDate(T0 + 86399), '2026-01-01');
  assert.equal(cm.dateFromYmd(2024, 2, 29), '2024-02-29');
  assert.throws(() => cm.utf8Check(Buffer.from([0xc0, 0xaf, 0]), 10), cm.Utf8Error);
  assert.equal(cm.crc32c(Buffer.from('123456789')), 0xE3069283);
  assert.equal(cm.taskStatusSide('accepted'), 'provider');
  assert.equal(cm.versionNumber(), 100);
});

test('client round trip, errors as classes', () => {
  const store = new cm.Store({ clock, idSeed: 3 });
  const c = store.newClient();
  c.family = 'Nguyễn';
  c.birthDate = '1951-07-04';
  c.gender = 'female';
  c.interpreter = true;
  c.setIdentifier('MRN', 'MRN42');
  c.addCoverage('Medicare', '1EG4', 'Part A/B');
  c.addCareTeamMember('pcp', 'Dr. Osei');
  c.setStatus('active', 'enrolled');
  store.transaction('jordan', (txn) => {
    assert.equal(txn.actor, 'jordan');
    c.save(txn);
  });
  const g = store.findClient('MRN', 'MRN42');
  assert.equal(g.id, c.id);
  assert.equal(g.family, 'Nguyễn');
  assert.equal(g.birthDate, '1951-07-04');
  assert.equal(g.gender, 'female');
  assert.equal(g.interpreter, true);
  assert.deepEqual(g.identifiers, { MRN: 'MRN42' });
  assert.deepEqual(g.coverages, [{ payer: 'Medicare', memberId: '1EG4', plan: 'Part A/B' }]);
  assert.equal(g.statusHistory[0].actor, 'jordan');
  assert.throws(() => g.setStatus('planned', 'x'), (e) => e instanceof cm.TransitionError &&
    e instanceof cm.CasemgrError && e.code === -6 && /planned/.test(e.message));
  assert.throws(() => store.client('no-such-id'), (e) => e instanceof cm.NotFoundError && /no-such-id/.test(e.message));
  g.close();
  g.close();
  assert.throws(() => g.family, cm.StateError);
  c.close();
  store.close();
});

test('transaction rolls back when the function throws', () => {
  const store = new cm.Store();
  const c = store.newClient();
  c.family = 'X';
  assert.throws(() => store.transaction('x', (txn) => { c.save(txn); throw new Error('boom'); }), /boom/);
  assert.throws(() => store.client(c.id), cm.NotFoundError);
  const txn = store.transaction('a');
  assert.throws(() => store.transaction('b'), cm.BusyError);
  txn.rollback();
  c.close();
  store.close();
});

test('iterators: listing, audit, worklist, caseloads', () => {
  const store = new cm.Store({ clock });
  for (const n of ['Cho', 'Abe', 'Bao']) enrolled(store, n).close();
  const it = store.clients({ status: 'active' });
  assert.equal(it.length, 3);
  assert.deepEqual([...it].map((c) => c.family), ['Abe', 'Bao', 'Cho']);
  assert.ok(it.closed); // freed when exhausted
  assert.equal([...store.audit()].length, 3);
  const c = [...store.clients({ namePrefix: 'abe' })][0];
  c.caseManager = 'cm-1';
  c.nextFollowup = '2026-01-05';
  store.transaction('x', (t) => c.save(t));
  // Contact kinds only (a never-assessed client is also due a reassessment).
  const items = [...store.worklist('2026-01-10', { kinds: ['contact-due', 'contact-overdue'] })];
  assert.deepEqual(items.map((i) => [i.kind, i.due]), [['contact-overdue', '2026-01-05']]);
  assert.deepEqual([...store.caseloads()].find((r) => r.manager === 'cm-1'), { manager: 'cm-1', clients: 1, load: 1 });
  store.close();
});

test('summaries and contact rows', () => {
  const store = new cm.Store({ clock });
  const c = enrolled(store, 'Rivera', 'M7');
  c.caseManager = 'cm-1';
  c.nextFollowup = '2026-01-05';
  c.riskTier = 3;
  store.transaction('x', (t) => c.save(t));
  const s = store.clientSummary(c.id);
  assert.deepEqual([s.id, s.status, s.riskTier, s.nextFollowup, s.family, s.caseManager, s.revision],
    [c.id, 'active', 3, '2026-01-05', 'Rivera', 'cm-1', c.revision]);
  assert.deepEqual(store.findClientSummary('MRN', 'M7'), s);
  assert.throws(() => store.clientSummary('no-such-client'), cm.NotFoundError);
  const { rows, total } = store.contactWorklist('cm-1', '2026-01-10');
  assert.equal(total, 1);
  assert.deepEqual(rows, [{ kind: 'contact-overdue', priority: 'urgent', due: '2026-01-05', clientId: c.id }]);
  const items = [...store.worklist('2026-01-10', { caseManager: 'cm-1', kinds: ['contact-due', 'contact-overdue'] })];
  assert.deepEqual(rows.map((r) => [r.kind, r.due, r.clientId]), items.map((i) => [i.kind, i.due, i.clientId]));
  assert.deepEqual(store.contactWorklist('cm-1', '2026-01-10', { limit: 0 }), { rows: [], total: 1 });
  assert.throws(() => store.contactWorklist('cm-1', '2026-01-10', { horizonDays: 400 }), cm.RangeError);
  store.close();
});

test('assessment, plan, service, event', () => {
  const store = new cm.Store({ clock });
  const client = enrolled(store, 'Rivera', 'M1');
  const a = store.newAssessment(client.id, 'lace');
  a.assessor = 'rn';
  a.setAnswers({ 'length-of-stay': 5, acute: 1, 'ed-visits': 1, chf: 1 });
  a.setStatus('completed', 'done');
  assert.deepEqual(a.score, { total: 10, band: 'high', flags: 0 });
  store.transaction('rn', (t) => { a.save(t); a.applyRiskTier(t, client); });
  assert.equal(client.riskTier, 4);
  const p = store.newPlan(client.id);
  p.author = 'cm';
  const prob = p.addProblem('Readmission risk', a.id, 'readmission-risk');
  const goal = p.addGoal('No readmission in 30 days', { addresses: [prob] });
  goal.targetDate = '2026-02-01';
  const iv = p.addIntervention('Follow-up call in 48 hours', 'care-team', 'cm', { serves: [goal] });
  assert.deepEqual([prob.id, goal.id, iv.id], ['p1', 'g2', 'i3']);
  goal.setStatus('active', 'agreed');
  store.transaction('cm', (t) => p.save(t));
  assert.equal(store.plan(p.id).goals[0].status, 'active');
  assert.deepEqual(p.check('2026-02-02'), [{ issue: 'goal-past-target', elementId: 'g2' }]);
  const svc = store.newService(client.id, 'home infusion');
  svc.totalCost = 500000;
  svc.addShare('client', null, 100000);
  assert.deepEqual(svc.fundingCheck(), { state: 'short', difference: 400000 });
  svc.addShare('payer', 'Insurer', 400000);
  assert.equal(svc.fundingCheck().state, 'funded');
  svc.setStatus('requester', 'requested', 'sent');
  assert.equal(svc.statusSide, 'requester');
  store.transaction('cm', (t) => svc.save(t));
  assert.deepEqual(store.instrumentItems('phq-2').map((i) => i.code), ['q1', 'q2']);
  assert.ok(a.created instanceof Date && p.updated instanceof Date);
  assert.deepEqual([...store.services(client.id)].map((s) => s.shares.length), [2]);
  const ev = store.newEvent(client.id, 'contact', new Date((T0 + 86400) * 1000));
  ev.mode = 'phone';
  store.transaction('cm', (t) => client.recordContact(t, ev));
  assert.equal(client.nextFollowup, '2026-01-09');
  const tl = [...store.timeline(client.id)];
  assert.deepEqual(tl.map((e) => [e.type, e.amendedBy]), [['contact', null]]);
  const { rows, total } = store.timelineRows(client.id);
  assert.equal(total, 1);
  assert.deepEqual(rows.map((r) => [r.id, r.time.getTime(), r.type, r.mode, r.textLen, r.amends, r.amendedBy]),
    tl.map((e) => [e.id, e.time.getTime(), e.type, e.mode, 0, null, e.amendedBy]));
  assert.deepEqual(store.timelineRows(client.id, { limit: 0 }), { rows: [], total: 1 });
  const note = store.newEvent(client.id, 'note', new Date((T0 + 2 * 86400) * 1000));
  note.text = '\u00e9'.repeat(100); // 200 bytes: the row holds 63 characters
  store.transaction('cm', (t) => note.save(t));
  const [row] = store.timelineRows(client.id, { newestFirst: true, limit: 1 }).rows;
  assert.deepEqual([row.id, row.text, row.textLen], [note.id, '\u00e9'.repeat(63), 200]);
  const added = store.transaction('cm', (t) => t.addEvent(client.id, 'contact', new Date((T0 + 3 * 86400) * 1000),
    { mode: 'visit', note: 'home visit' }));
  const got = store.event(added);
  assert.deepEqual([got.type, got.mode, got.text, got.clientId], ['contact', 'visit', 'home visit', client.id]);
  store.transaction('cm', (t) => assert.throws(() => t.addEvent('no-such-client', 'note', new Date(T0 * 1000)),
    cm.NotFoundError));
  assert.throws(() => store.timelineRows('no-such-client'), cm.NotFoundError);
  assert.throws(() => { ev.text = 'immutable'; }, cm.StateError);
  const m = store.measure('contact-compliance', '2026-01-01', '2026-01-31', '2026-01-02');
  assert.deepEqual(m, { numerator: 1, denominator: 1, medianDays: null });
  store.close();
});

test('storage implemented in JavaScript', () => {
  const st = new cm.MemoryStorage();
  let s = new cm.Store({ storage: st, clock });
  const id = enrolled(s, 'A', 'M7').id;
  s.close();
  // the client handle from enrolled() is still alive: close() runs later
  global.gc?.();
  s = new cm.Store({ storage: st, clock });
  assert.equal(s.findClient('MRN', 'M7').id, id);
  st.failNextCommit = true;
  const c = s.newClient();
  c.family = 'B';
  assert.throws(() => s.transaction('x', (t) => c.save(t)), (e) => e instanceof cm.StorageError && /disk full/.test(e.message));
  assert.equal([...s.clients()].length, 1);
  c.close();
  s.close();
});

test('storage conflict code passes through; corrupt record refused', () => {
  class Refusing extends cm.MemoryStorage { put() { throw new cm.ConflictError('stale'); } }
  const s = new cm.Store({ storage: new Refusing() });
  const c = s.newClient();
  c.family = 'X';
  assert.throws(() => s.transaction('x', (t) => c.save(t)), cm.ConflictError);
  c.close();
  s.close();
  const st = new cm.MemoryStorage();
  const s2 = new cm.Store({ storage: st });
  enrolled(s2).close();
  s2.close();
  const b = st.records[0].bytes;
  b[b.length - 1] ^= 1;
  assert.throws(() => new cm.Store({ storage: st }), cm.CorruptError);
});

// A MemoryStorage whose marker carries a prefix, and that can be told to
// return another marker, to keep the old one or to fail; it records the
// markers it got.
const PREFIX = 'seq\u00e9:'; // not ASCII: the marker crosses as UTF-8
class Marked extends cm.MemoryStorage {
  constructor() { super(); this.got = []; this.marker = undefined; this.keep = false; this.error = null; }
  loadSince(marker) {
    this.got.push(marker);
    if (this.error) throw this.error;
    // Another marker than its own: everything.
    const own = marker !== null && marker.startsWith(PREFIX) ? marker.slice(PREFIX.length) : null;
    const { records, marker: next } = super.loadSince(own);
    if (this.keep) return { records };
    return { records, marker: this.marker === undefined ? PREFIX + next : this.marker };
  }
}

function twoStores(st = new cm.MemoryStorage()) {
  return [new cm.Store({ storage: st, clock }), new cm.Store({ storage: st, clock })];
}

test('refresh takes in what another store committed', () => {
  const [a, b] = twoStores();
  const seen = [];
  b.onChange((...args) => seen.push(args));
  assert.equal(b.refresh(), 0);
  const c = enrolled(a, 'Rivera', 'MRN-A');
  assert.throws(() => b.client(c.id), cm.NotFoundError);
  assert.equal(b.refresh(), 1);
  assert.deepEqual(seen, [['client', c.id, 1, 1]]); // create
  const got = b.findClient('MRN', 'MRN-A');
  assert.deepEqual([got.id, got.family, got.revision], [c.id, 'Rivera', 1]);
  assert.deepEqual([...b.audit()].map((e) => [e.actor, e.recordId]), [['intake', c.id]]);
  assert.equal(b.refresh(), 0); // nothing new
  // One commit of two records: an update and a new client.
  c.phone = '555-0101';
  const d = a.newClient();
  d.family = 'Osei';
  a.transaction('cm', (t) => { c.save(t); d.save(t); });
  assert.equal(b.refresh(), 2);
  assert.equal(b.client(c.id).phone, '555-0101');
  assert.equal(b.client(d.id).family, 'Osei');
  assert.deepEqual(seen.slice(1).sort(), [['client', c.id, 2, 2], ['client', d.id, 1, 1]].sort());
  assert.equal(a.refresh(), 0); // it holds its own commits already
  for (const h of [c, d, got]) h.close();
  a.close();
  b.close();
});

test('a stale write is refused, and redone after refresh', () => {
  const st = new cm.MemoryStorage();
  const [a, b] = twoStores(st);
  const c = enrolled(a);
  b.refresh();
  const stale = b.client(c.id);
  c.phone = '1';
  a.transaction('a', (t) => c.save(t));
  stale.phone = '2';
  assert.throws(() => b.transaction('b', (t) => stale.save(t)), cm.ConflictError); // by the storage
  assert.equal(b.refresh(), 1);
  assert.throws(() => b.transaction('b', (t) => stale.save(t)), cm.ConflictError); // the handle stays stale
  const fresh = b.client(c.id);
  assert.deepEqual([fresh.revision, fresh.phone], [2, '1']);
  fresh.phone = '2';
  b.transaction('b', (t) => fresh.save(t));
  assert.equal(a.refresh(), 1);
  assert.equal(a.client(c.id).phone, '2');
  const txn = b.transaction('b');
  assert.throws(() => b.refresh(), cm.BusyError);
  txn.rollback();
  const id = c.id;
  for (const h of [c, stale, fresh]) h.close();
  a.close();
  b.close();
  const again = new cm.Store({ storage: st }); // the shared history, whole
  assert.equal(again.client(id).revision, 3);
  assert.equal([...again.audit()].length, 3);
  again.close();
});

test('refresh needs loadSince', () => {
  class Plain extends cm.Storage { // version 1: load only
    constructor() { super(); this.records = []; }
    put(kind, id, rev, prev, bytes) { this.records.push(bytes); }
    load() { return this.records; }
  }
  const st = new Plain();
  let s = new cm.Store({ storage: st });
  enrolled(s).close();
  assert.throws(() => s.refresh(), (e) => e instanceof cm.UnsupportedError && /load_since/.test(e.message));
  s.close();
  s = new cm.Store({ storage: st }); // opened through load()
  assert.equal([...s.clients()].length, 1);
  s.close();
  s = new cm.Store();
  assert.throws(() => s.refresh(), cm.UnsupportedError);
  s.close();
  assert.throws(() => s.refresh(), cm.StateError);
});

test('markers cross whole', () => {
  const st = new Marked();
  const [a, b] = twoStores(st);
  assert.deepEqual(st.got, [null, null]); // each open: everything
  assert.equal(b.refresh(), 0);
  assert.equal(st.got.at(-1), PREFIX + '0');
  const c = enrolled(a);
  assert.equal(b.refresh(), 1);
  assert.equal(b.client(c.id).family, 'Rivera');
  b.refresh();
  assert.equal(st.got.at(-1), PREFIX + '2'); // client + transaction log
  // 64 bytes is the most, in UTF-8 bytes: 32 two-byte characters.
  st.marker = '\u00e9'.repeat(32);
  assert.equal(b.refresh(), 0);
  st.marker = undefined;
  assert.equal(b.refresh(), 0);
  assert.equal(st.got.at(-1), '\u00e9'.repeat(32)); // it came back whole
  c.close();
  a.close();
  b.close();
});

test('a bad marker is refused and changes nothing', () => {
  const st = new Marked();
  const [a, b] = twoStores(st);
  const c = enrolled(a);
  const bad = [['x'.repeat(65), /65 bytes/], ['\u00e9'.repeat(33), /66 bytes/], ['12\u000034', /NUL/],
    ['\ud800', /not valid text/], [12, /type number/], [Buffer.from('12'), /type object/]];
  for (const [marker, why] of bad) {
    st.marker = marker;
    assert.throws(() => b.refresh(), (e) => e instanceof cm.StorageError && why.test(e.message) &&
      /load_since/.test(e.message), String(marker));
    assert.throws(() => b.client(c.id), cm.NotFoundError);
  }
  st.marker = undefined;
  assert.equal(b.refresh(), 1);
  assert.deepEqual(st.got.slice(2), Array(7).fill(PREFIX + '0')); // the marker did not move
  // No marker keeps the old one: the same records come again, and are ignored.
  st.keep = true;
  assert.equal(b.refresh(), 0);
  assert.equal(b.refresh(), 0);
  assert.deepEqual(st.got.slice(-2), [PREFIX + '2', PREFIX + '2']);
  c.close();
  a.close();
  b.close();
  // A bad marker at open fails the open.
  const st2 = new Marked();
  st2.marker = 'x'.repeat(65);
  assert.throws(() => new cm.Store({ storage: st2 }), cm.StorageError);
  assert.equal(st2.closed, 1);
  class Wrong extends cm.MemoryStorage { loadSince() { return this.records.map((r) => r.bytes); } }
  assert.throws(() => new cm.Store({ storage: new Wrong() }), (e) => e instanceof cm.StorageError && /records, marker/.test(e.message));
});

test('a loadSince that throws changes nothing', () => {
  const st = new Marked();
  const [a, b] = twoStores(st);
  const c = enrolled(a);
  st.error = new Error('database gone');
  assert.throws(() => b.refresh(), (e) => e instanceof cm.StorageError && /database gone/.test(e.message));
  assert.match(b.errmsg, /database gone/);
  st.error = new cm.CorruptError('row 7 fails its checksum');
  assert.throws(() => b.refresh(), (e) => e instanceof cm.CorruptError && /row 7/.test(e.message));
  st.error = null;
  assert.throws(() => b.client(c.id), cm.NotFoundError);
  assert.equal(b.refresh(), 1);
  assert.deepEqual(st.got.slice(2), Array(3).fill(PREFIX + '0')); // the marker did not move
  c.close();
  a.close();
  b.close();
  // A failure part-way through the records: none is taken in.
  class HalfWay extends cm.MemoryStorage {
    loadSince(marker) {
      const { records, marker: next } = super.loadSince(marker);
      const fail = this.fail;
      return {
        records: (function* some() {
          for (const [i, r] of records.entries()) {
            if (i === 1 && fail) throw new Error('connection reset');
            yield r;
          }
        })(),
        marker: next,
      };
    }
  }
  const st2 = new HalfWay();
  const [x, y] = twoStores(st2);
  enrolled(x, 'One').close();
  enrolled(x, 'Two').close();
  st2.fail = true;
  assert.throws(() => y.refresh(), (e) => e instanceof cm.StorageError && /connection reset/.test(e.message));
  assert.equal([...y.clients()].length, 0);
  st2.fail = false;
  assert.equal(y.refresh(), 2);
  assert.equal([...y.clients()].length, 2);
  x.close();
  y.close();
});

test('clock failure is ClockError', () => {
  const s = new cm.Store({ clock: () => { throw new Error('no time'); } });
  assert.throws(() => s.newClient(), cm.ClockError);
  s.close();
});

test('file journal (when the library has it)', { skip: cm.lib.missing.includes('cm_store_open_journal') && 'no file journal in this libcasemgr' }, () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmj-'));
  try {
    const file = path.join(dir, 'cm.journal');
    let s = new cm.Store({ journal: file, clock });
    const c = enrolled(s, 'J', 'MJ');
    const id = c.id;
    s.compact();
    // The journal stays locked until the store's last handle is freed.
    c.close();
    s.close();
    s = new cm.Store({ journal: file, sync: 'normal' });
    assert.equal(s.findClient('MRN', 'MJ').id, id);
    s.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('refresh callbacks outlive garbage collection', async (t) => {
  if (!global.gc) { t.skip('run node with --expose-gc'); return; }
  const [a, b] = (() => {
    class Local extends cm.MemoryStorage { loadSince(marker) { return super.loadSince(marker); } }
    return twoStores(new Local());
  })();
  const st = b.storage;
  for (let i = 0; i < 3; i++) {
    global.gc();
    await new Promise((r) => setImmediate(r));
    const c = a.newClient();
    c.family = `G${i}`;
    a.transaction('gc', (txn) => c.save(txn));
    c.close();
    global.gc();
    assert.equal(b.refresh(), 1);
  }
  a.close();
  b.close();
  global.gc();
  assert.equal(st.closed, 2);
});

test('forgotten handles and stores are freed by the garbage collector', async (t) => {
  if (!global.gc) { t.skip('run node with --expose-gc'); return; }
  const st = new cm.MemoryStorage();
  (() => {
    const s = new cm.Store({ storage: st, clock });
    enrolled(s, 'Forgotten');
    [...s.clients()];
  })();
  for (let i = 0; i < 10 && st.closed === 0; i++) {
    global.gc();
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(st.closed, 1); // the library closed the storage: all freed
});
