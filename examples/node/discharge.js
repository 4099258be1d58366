'use strict';
// discharge.js - a hospital discharge case through the Node binding.
//
// A client admitted with cellulitis goes home on IV antibiotics: LACE
// assessment and risk tier, care plan with goals, home IV antibiotics with a
// funding split, a follow-up call, the worklist before and after, and the
// 7-day follow-up measure. Run from the source tree after `npm ci` in
// bindings/node, with CASEMGR_LIB=path/to/libcasemgr.so.1.
const assert = require('node:assert/strict');
const path = require('node:path');
const cm = require(path.join(__dirname, '..', '..', 'bindings', 'node'));

const NOW = new Date('2026-03-02T15:00:00Z');
const dollars = (cents) => `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;

const store = new cm.Store({ clock: () => NOW });

// Admitted: the client and the admission event.
const client = store.newClient();
client.family = 'Okafor';
client.given = 'Grace';
client.birthDate = '1950-05-17';
client.setIdentifier('MRN', 'MRN000777001');
client.caseManager = 'cm-diaz';
client.addCoverage('Blue Shield', 'BSX-4411', 'PPO');
client.setStatus('active', 'referred at admission');
const admitted = store.newEvent(client.id, 'admission', '2026-02-24T09:00:00Z');
admitted.text = 'Cellulitis of the left leg, IV antibiotics';
store.transaction('cm-diaz', (txn) => { client.save(txn); admitted.save(txn); });

// Discharged, with a LACE assessment; its risk tier goes to the client.
const lace = store.newAssessment(client.id, 'lace');
lace.assessor = 'rn-patel';
lace.setAnswers({ 'length-of-stay': 6, acute: 1, 'ed-visits': 2, diabetes: 1, chf: 1 });
lace.setStatus('completed', 'scored at discharge');
const discharge = store.newEvent(client.id, 'discharge', '2026-03-02T14:00:00Z');
discharge.disposition = 'home with home health';
store.transaction('rn-patel', (txn) => {
  lace.save(txn);
  lace.applyRiskTier(txn, client);
  discharge.save(txn);
});
const { total, band } = lace.score;
console.log(`LACE ${total} (${band}) -> risk tier ${client.riskTier}`);

// Care plan with goals and interventions.
const plan = store.newPlan(client.id);
plan.author = 'cm-diaz';
plan.title = 'Safe transition home on IV antibiotics';
plan.periodStart = '2026-03-02';
const risk = plan.addProblem('High readmission risk', lace.id, 'readmission-risk');
const infection = plan.addProblem('Cellulitis needing 6 weeks of IV antibiotics');
const course = plan.addGoal('Complete the IV antibiotic course at home', { addresses: [infection] });
course.targetDate = '2026-04-13';
const stayHome = plan.addGoal('No readmission within 30 days', { addresses: [risk] });
stayHome.targetDate = '2026-04-01';
stayHome.priority = 'high-priority';
plan.addIntervention('Home infusion with nurse visits', 'provider', 'Coastal Home Health', { serves: [course] });
plan.addIntervention('Follow-up call within 48 hours', 'care-team', 'cm-diaz', { serves: [stayHome] });
plan.setStatus('active', 'agreed with the client');
store.transaction('cm-diaz', (txn) => plan.save(txn));
console.log(`plan ${plan.status}: ${plan.goals.length} goals, ${plan.check('2026-03-03').length} issues`);

// Home IV antibiotics: $5,000 split four ways.
const pharmacy = store.newProvider('Valley Infusion Pharmacy', 'home-infusion-pharmacy');
const agency = store.newProvider('Coastal Home Health', 'home-health');
const service = store.newService(client.id, 'home IV antibiotics');
service.providerId = pharmacy.id;
service.planId = plan.id;
service.planElement = course.id;
service.totalCost = 5000_00;
service.addShare('client', null, 1000_00);
service.addShare('provider', 'Valley Infusion Pharmacy', 1000_00); // discount
service.addShare('other', 'Coastal Home Health', 500_00); // pumps
service.addShare('payer', 'Blue Shield', 2500_00);
service.setStatus('requester', 'requested', 'discharge order');
store.transaction('cm-diaz', (txn) => { pharmacy.save(txn); agency.save(txn); service.save(txn); });
const funding = service.fundingCheck();
console.log(`service ${service.category}: ${dollars(service.totalCost)} ${funding.state}`);
for (const s of service.shares) console.log(`  ${s.party.padEnd(8)} ${(s.name ?? 'client').padEnd(26)} ${dollars(s.amount)}`);
assert.deepEqual(funding, { state: 'funded', difference: 0 });

function showWorklist(asOf) {
  const items = [...store.worklist(asOf, { caseManager: 'cm-diaz', horizonDays: 14 })];
  console.log(`worklist as of ${asOf}:`);
  for (const i of items) console.log(`  ${i.priority.padEnd(7)} ${i.kind.padEnd(22)} due ${i.due}`);
  return items;
}

const before = showWorklist('2026-03-03');
assert.deepEqual(before.map((i) => i.kind), ['discharge-no-followup']);

// The follow-up call: a contact that also moves the next follow-up.
const call = store.newEvent(client.id, 'contact', '2026-03-04T10:00:00Z');
call.mode = 'phone';
call.actor = 'cm-diaz';
call.outcome = 'afebrile, PICC line clean, first nurse visit done';
call.goalId = stayHome.id;
store.transaction('cm-diaz', (txn) => client.recordContact(txn, call));
console.log(`follow-up call recorded; next follow-up ${client.nextFollowup}`);

const after = showWorklist('2026-03-04');
assert.ok(!after.some((i) => i.kind === 'discharge-no-followup'));

console.log('timeline:', [...store.timeline(client.id)].map((e) => e.type).join(', '));
const m = store.measure('followup-7d', '2026-03-01', '2026-03-31', '2026-03-10');
console.log(`7-day follow-up after discharge: ${m.numerator}/${m.denominator}`);
assert.deepEqual([m.numerator, m.denominator], [1, 1]);

for (const r of [client, admitted, lace, discharge, plan, pharmacy, agency, service, call]) r.close();
store.close();
