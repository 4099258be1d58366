#!/usr/bin/env python3
"""discharge.py - a hospital discharge case through the Python binding.

A client admitted with cellulitis goes home on IV antibiotics: discharged
with a LACE readmission-risk assessment, risk tier, care plan with goals,
home IV antibiotics arranged with a funding split, a follow-up call, the
case manager's worklist before and after the call, and the 7-day follow-up
measure. Run with CASEMGR_LIB=path/to/libcasemgr.so.1 (or an installed
library).
"""
import datetime as dt
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bindings", "python"))
import casemgr  # noqa: E402

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def dollars(cents):
    return f"${cents / 100:,.2f}"


with casemgr.Store(clock=lambda: NOW) as store:
    # Admitted: the client and the admission event.
    client = store.new_client()
    client.family, client.given = "Okafor", "Grace"
    client.birth_date = dt.date(1950, 5, 17)
    client.set_identifier("MRN", "MRN000777001")
    client.case_manager = "cm-diaz"
    client.add_coverage("Blue Shield", "BSX-4411", "PPO")
    client.set_status("active", "referred at admission")
    admitted = store.new_event(client.id, "admission", dt.datetime(2026, 2, 24, 9, 0, tzinfo=UTC))
    admitted.text = "Cellulitis of the left leg, IV antibiotics"
    with store.transaction("cm-diaz") as txn:
        client.save(txn)
        admitted.save(txn)

    # Discharged, with a LACE assessment; its risk tier goes to the client.
    lace = store.new_assessment(client.id, "lace")
    lace.assessor = "rn-patel"
    lace.set_answers({"length-of-stay": 6, "acute": 1, "ed-visits": 2, "diabetes": 1, "chf": 1})
    lace.set_status("completed", "scored at discharge")
    discharge = store.new_event(client.id, "discharge", dt.datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    discharge.disposition = "home with home health"
    with store.transaction("rn-patel") as txn:
        lace.save(txn)
        lace.apply_risk_tier(txn, client)
        discharge.save(txn)
    total, band, _ = lace.score
    print(f"LACE {total} ({band}), components {lace.components} -> risk tier {client.risk_tier}")

    # Care plan with goals and interventions.
    plan = store.new_plan(client.id)
    plan.author, plan.title = "cm-diaz", "Safe transition home on IV antibiotics"
    plan.period_start = dt.date(2026, 3, 2)
    risk = plan.add_problem("High readmission risk", lace.id, "readmission-risk")
    infection = plan.add_problem("Cellulitis needing 6 weeks of IV antibiotics")
    course = plan.add_goal("Complete the IV antibiotic course at home", addresses=[infection])
    course.target_date = dt.date(2026, 4, 13)
    stay_home = plan.add_goal("No readmission within 30 days", addresses=[risk])
    stay_home.target_date = dt.date(2026, 4, 1)
    stay_home.priority = "high-priority"
    plan.add_intervention("Home infusion with nurse visits", "provider", "Coastal Home Health",
                          serves=[course])
    plan.add_intervention("Follow-up call within 48 hours", "care-team", "cm-diaz",
                          serves=[stay_home])
    plan.set_status("active", "agreed with the client")
    with store.transaction("cm-diaz") as txn:
        plan.save(txn)
    print(f"plan {plan.status}: goals {[g.description for g in plan.goals]}, "
          f"issues {plan.check(dt.date(2026, 3, 3))}")

    # Home IV antibiotics: $5,000 split four ways.
    pharmacy = store.new_provider("Valley Infusion Pharmacy", "home-infusion-pharmacy")
    agency = store.new_provider("Coastal Home Health", "home-health")
    service = store.new_service(client.id, "home IV antibiotics")
    service.provider_id = pharmacy.id
    service.plan_id, service.plan_element = plan.id, course.id
    service.total_cost = 5000_00
    service.add_share("client", None, 1000_00)
    service.add_share("provider", "Valley Infusion Pharmacy", 1000_00)  # discount
    service.add_share("other", "Coastal Home Health", 500_00)           # pumps
    service.add_share("payer", "Blue Shield", 2500_00)
    service.set_status("requester", "requested", "discharge order")
    with store.transaction("cm-diaz") as txn:
        pharmacy.save(txn)
        agency.save(txn)
        service.save(txn)
    state, diff = service.funding_check()
    print(f"service {service.category}: {dollars(service.total_cost)} {state}")
    for party, name, amount in service.shares:
        print(f"  {party:8} {name or 'client':26} {dollars(amount)}")
    assert state == "funded" and diff == 0

    def show_worklist(as_of):
        items = list(store.worklist(as_of, case_manager="cm-diaz", horizon_days=14))
        print(f"worklist as of {as_of}:")
        for item in items:
            print(f"  {item.priority:7} {item.kind:22} due {item.due}")
        return items

    before = show_worklist(dt.date(2026, 3, 3))
    assert [i.kind for i in before] == ["discharge-no-followup"]

    # The follow-up call: a contact that also moves the next follow-up.
    call = store.new_event(client.id, "contact", dt.datetime(2026, 3, 4, 10, 0, tzinfo=UTC))
    call.mode, call.actor = "phone", "cm-diaz"
    call.outcome = "afebrile, PICC line clean, first nurse visit done"
    call.goal_id = stay_home.id
    with store.transaction("cm-diaz") as txn:
        client.record_contact(txn, call)
    print(f"follow-up call recorded; next follow-up {client.next_followup}")

    after = show_worklist(dt.date(2026, 3, 4))
    assert "discharge-no-followup" not in [i.kind for i in after]

    print("timeline:", [e.type for e in store.timeline(client.id)])
    m = store.measure("followup-7d", dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.date(2026, 3, 10))
    print(f"7-day follow-up after discharge: {m.numerator}/{m.denominator}")
    assert (m.numerator, m.denominator) == (1, 1)

    for record in (client, admitted, lace, discharge, plan, pharmacy, agency, service, call):
        record.close()
