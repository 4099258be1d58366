"""casemgr._ffi - the C declarations, one row per CM_API function.

FUNCTIONS holds (name, restype, argtypes) for every function of
include/casemgr/*.h; tests/ffi/check_bindings.py compares it with the headers
(suite 'abi'), so a function added to or changed in a header without a row
here fails the build's tests. New rows can be printed with
`python3 tests/ffi/check_bindings.py . --emit python`.

Importing this module loads no library; load() does.
"""
import ctypes
import ctypes.util
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_double, c_int,
                    c_int32, c_int64, c_size_t, c_uint32, c_uint64, c_void_p)

# ---- callback types (store.h, storage.h) ------------------------------------
cm_malloc_fn = CFUNCTYPE(c_void_p, c_void_p, c_size_t)
cm_realloc_fn = CFUNCTYPE(c_void_p, c_void_p, c_void_p, c_size_t)
cm_free_fn = CFUNCTYPE(None, c_void_p, c_void_p)
cm_clock_fn = CFUNCTYPE(c_int, c_void_p, POINTER(c_int64))
cm_change_fn = CFUNCTYPE(c_int, c_void_p, c_int32, c_char_p, c_int64, c_int32)
cm_storage_emit_fn = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t)

storage_ctx_fn = CFUNCTYPE(c_int, c_void_p)
storage_put_fn = CFUNCTYPE(c_int, c_void_p, c_int32, c_char_p, c_int64, c_int64,
                           c_void_p, c_size_t)
storage_load_fn = CFUNCTYPE(c_int, c_void_p, cm_storage_emit_fn, c_void_p)
storage_load_since_fn = CFUNCTYPE(c_int, c_void_p, c_char_p, cm_storage_emit_fn,
                                  c_void_p, c_void_p, c_size_t)
# errmsg returns const char *: declared c_void_p so that Python returns an
# address it keeps alive (a c_char_p result would dangle).
storage_errmsg_fn = CFUNCTYPE(c_void_p, c_void_p)


class cm_storage(Structure):
    _fields_ = [
        ("version", c_uint32),
        ("begin", storage_ctx_fn),
        ("put", storage_put_fn),
        ("commit", storage_ctx_fn),
        ("rollback", storage_ctx_fn),
        ("load", storage_load_fn),
        ("close", storage_ctx_fn),
        ("errmsg", storage_errmsg_fn),
        ("load_since", storage_load_since_fn),  # v2; NULL: cannot refresh
    ]


class cm_store_options(Structure):
    _fields_ = [
        ("version", c_uint32),
        ("flags", c_uint32),
        ("alloc_ctx", c_void_p),
        ("malloc_fn", cm_malloc_fn),
        ("realloc_fn", cm_realloc_fn),
        ("free_fn", cm_free_fn),
        ("clock_ctx", c_void_p),
        ("clock_fn", cm_clock_fn),
        ("id_seed", c_uint64),
        ("storage", POINTER(cm_storage)),
        ("storage_ctx", c_void_p),
        ("errbuf", c_char_p),
        ("errbuf_size", c_size_t),
    ]


class cm_client_summary(Structure):
    _fields_ = [
        ("version", c_uint32),
        ("status", c_int32),
        ("risk_tier", c_int32),
        ("next_followup", c_int32),
        ("birth_date", c_int32),
        ("gender", c_int32),
        ("revision", c_int64),
        ("id", c_char * 65),
        ("family", c_char * 201),
        ("given", c_char * 201),
        ("case_manager", c_char * 65),
    ]


CM_CLIENT_SUMMARY_VERSION = 1


class cm_contact_row(Structure):
    _fields_ = [
        ("kind", c_int32),
        ("priority", c_int32),
        ("due", c_int32),
        ("client_id", c_char * 65),
    ]


class cm_event_row(Structure):
    _fields_ = [
        ("time", c_int64),
        ("text_len", c_size_t),
        ("type", c_int32),
        ("mode", c_int32),
        ("id", c_char * 65),
        ("amends", c_char * 65),
        ("amended_by", c_char * 65),
        ("text", c_char * 128),
    ]
CM_STORE_OPTIONS_VERSION = 2
# A Storage whose class defines load_since gets a version-2 table; any
# other gets version 1 (load_since NULL: the store cannot refresh).
CM_STORAGE_VERSION = 2
CM_STORAGE_MARKER_MAX = 64  # longest refresh marker, in bytes, without the NUL

FUNCTIONS = [
    ('cm_assessment_status_code', c_char_p, [c_int32]),
    ('cm_assessment_status_parse', c_int, [POINTER(c_int32), c_char_p]),
    ('cm_severity_code', c_char_p, [c_int32]),
    ('cm_assessment_new', c_int, [POINTER(c_void_p), c_void_p, c_char_p, c_char_p]),
    ('cm_assessment_get', c_int, [POINTER(c_void_p), c_void_p, c_char_p]),
    ('cm_assessment_get_revision', c_int, [POINTER(c_void_p), c_void_p, c_char_p, c_int64]),
    ('cm_assessment_free', None, [c_void_p]),
    ('cm_assessment_save', c_int, [c_void_p, c_void_p]),
    ('cm_assessment_id', c_char_p, [c_void_p]),
    ('cm_assessment_revision', c_int64, [c_void_p]),
    ('cm_assessment_created', c_int64, [c_void_p]),
    ('cm_assessment_updated', c_int64, [c_void_p]),
    ('cm_assessment_status', c_int32, [c_void_p]),
    ('cm_assessment_client_id', c_char_p, [c_void_p]),
    ('cm_assessment_instrument', c_char_p, [c_void_p]),
    ('cm_assessment_text', c_char_p, [c_void_p, c_int32]),
    ('cm_assessment_get_int', c_int, [POINTER(c_int64), c_void_p, c_int32]),
    ('cm_assessment_set_text', c_int, [c_void_p, c_int32, c_char_p]),
    ('cm_assessment_set_int', c_int, [c_void_p, c_int32, c_int64]),
    ('cm_assessment_set_answer', c_int, [c_void_p, c_char_p, c_int32]),
    ('cm_assessment_clear_answer', c_int, [c_void_p, c_char_p]),
    ('cm_assessment_answer', c_int, [POINTER(c_int32), c_void_p, c_char_p]),
    ('cm_assessment_answer_count', c_size_t, [c_void_p]),
    ('cm_assessment_answer_at', c_int, [POINTER(c_char_p), POINTER(c_int32), c_void_p, c_size_t]),
    ('cm_assessment_set_status', c_int, [c_void_p, c_int32, c_char_p]),
    ('cm_assessment_status_history_count', c_size_t, [c_void_p]),
    ('cm_assessment_status_history_at', c_int, [POINTER(c_int32), POINTER(c_int32), POINTER(c_int64), POINTER(c_char_p), POINTER(c_char_p), c_void_p, c_size_t]),
    ('cm_assessment_score', c_int, [POINTER(c_int32), POINTER(c_char_p), POINTER(c_int32), c_void_p]),
    ('cm_assessment_component_count', c_size_t, [c_void_p]),
    ('cm_assessment_component_at', c_int, [POINTER(c_char_p), POINTER(c_int32), c_void_p, c_size_t]),
    ('cm_assessment_finding_count', c_size_t, [c_void_p]),
    ('cm_assessment_finding_at', c_int, [POINTER(c_char_p), POINTER(c_int32), c_void_p, c_size_t]),
    ('cm_assessment_risk_tier', c_int, [POINTER(c_int32), c_void_p]),
    ('cm_assessment_apply_risk_tier', c_int, [c_void_p, c_void_p, c_void_p]),
    ('cm_store_set_risk_policy', c_int, [c_void_p, c_char_p, c_int32, c_int32, c_int32]),
    ('cm_instrument_item_at', c_int, [POINTER(c_char_p), POINTER(c_int32), POINTER(c_int32), POINTER(c_int32), c_void_p, c_char_p, c_size_t]),
    ('cm_instrument_new', c_int, [POINTER(c_void_p), c_void_p, c_char_p, c_char_p]),
    ('cm_instrument_add_item', c_int, [c_void_p, c_char_p, c_int32, c_int32, c_int32]),
    ('cm_instrument_add_band', c_int, [c_void_p, c_int32, c_char_p, c_int32]),
    ('cm_instrument_free', None, [c_void_p]),
    ('cm_store_register_instrument', c_int, [c_void_p, c_void_p]),
    ('cm_case_status_code', c_char_p, [c_int32]),
    ('cm_case_status_parse', c_int, [POINTER(c_int32), c_char_p]),
    ('cm_gender_code', c_char_p, [c_int32]),
    ('cm_client_new', c_int, [POINTER(c_void_p), c_void_p]),
    ('cm_client_get', c_int, [POINTER(c_void_p), c_void_p, c_char_p]),
    ('cm_client_find', c_int, [POINTER(c_void_p), c_void_p, c_char_p, c_char_p]),
    ('cm_client_get_summary', c_int, [POINTER(cm_client_summary), c_void_p, c_char_p]),
    ('cm_client_find_summary', c_int, [POINTER(cm_client_summary), c_void_p, c_char_p, c_char_p]),
    ('cm_client_free', None, [c_void_p]),
    ('cm_client_save', c_int, [c_void_p, c_void_p]),
    ('cm_client_id', c_char_p, [c_void_p]),
    ('cm_client_revision', c_int64, [c_void_p]),
    ('cm_client_created', c_int64, [c_void_p]),
    ('cm_client_updated', c_int64, [c_void_p]),
    ('cm_client_status', c_int32, [c_void_p]),
    ('cm_client_text', c_char_p, [c_void_p, c_int32]),
    ('cm_client_get_int', c_int, [POINTER(c_int64), c_void_p, c_int32]),
    ('cm_client_set_id', c_int, [c_void_p, c_char_p]),
    ('cm_client_set_text', c_int, [c_void_p, c_int32, c_char_p]),
    ('cm_client_set_int', c_int, [c_void_p, c_int32, c_int64]),
    ('cm_client_set_status', c_int, [c_void_p, c_int32, c_char_p]),
    ('cm_client_status_history_count', c_size_t, [c_void_p]),
    ('cm_client_status_history_at', c_int, [POINTER(c_int32), POINTER(c_int32), POINTER(c_int64), POINTER(c_char_p), POINTER(c_char_p), c_void_p, c_size_t]),
    ('cm_client_set_identifier', c_int, [c_void_p, c_char_p, c_char_p]),
    ('cm_client_identifier', c_char_p, [c_void_p, c_char_p]),
    ('cm_client_identifier_count', c_size_t, [c_void_p]),
    ('cm_client_identifier_at', c_int, [POINTER(c_char_p), POINTER(c_char_p), c_void_p, c_size_t]),
    ('cm_client_add_coverage', c_int, [c_void_p, c_char_p, c_char_p, c_char_p]),
    ('cm_client_remove_coverage', c_int, [c_void_p, c_size_t]),
    ('cm_client_coverage_count', c_size_t, [c_void_p]),
    ('cm_client_coverage_at', c_int, [POINTER(c_char_p), POINTER(c_char_p), POINTER(c_char_p), c_void_p, c_size_t]),
    ('cm_client_add_care_team_member', c_int, [c_void_p, c_char_p, c_char_p, c_char_p]),
    ('cm_client_remove_care_team_member', c_int, [c_void_p, c_size_t]),
    ('cm_client_care_team_count', c_size_t, [c_void_p]),
    ('cm_client_care_team_at', c_int, [POINTER(c_char_p), POINTER(c_char_p), POINTER(c_char_p), c_void_p, c_size_t]),
    ('cm_client_list', c_int, [POINTER(c_void_p), c_void_p, c_int32, c_char_p, c_char_p]),
    ('cm_client_iter_next', c_int, [POINTER(c_void_p), c_void_p]),
    ('cm_client_iter_count', c_size_t, [c_void_p]),
    ('cm_client_iter_free', None, [c_void_p]),
    ('cm_version', c_int32, []),
    ('cm_version_string', c_char_p, []),
    ('cm_strerror', c_char_p, [c_int]),
    ('cm_error_name', c_char_p, [c_int]),
    ('cm_date_from_ymd', c_int, [POINTER(c_int32), c_int32, c_int32, c_int32]),
    ('cm_date_to_ymd', c_int, [POINTER(c_int32), POINTER(c_int32), POINTER(c_int32), c_int32]),
    ('cm_date_parse', c_int, [POINTER(c_int32), c_char_p]),
    ('cm_date_format', c_int, [c_char_p, c_size_t, c_int32]),
    ('cm_time_parse', c_int, [POINTER(c_int64), c_char_p]),
    ('cm_time_format', c_int, [c_char_p, c_size_t, c_int64]),
    ('cm_time_to_date', c_int, [POINTER(c_int32), c_int64]),
    ('cm_utf8_check', c_int, [c_char_p, c_size_t]),
    ('cm_event_type_code', c_char_p, [c_int32]),
    ('cm_event_new', c_int, [POINTER(c_void_p), c_void_p, c_char_p, c_int32, c_int64]),
    ('cm_event_add', c_int, [c_void_p, c_char_p, c_size_t, c_char_p, c_int32, c_int64, c_int32, c_char_p]),
    ('cm_event_get', c_int, [POINTER(c_void_p), c_void_p, c_char_p]),
    ('cm_event_free', None, [c_void_p]),
    ('cm_event_save', c_int, [c_void_p, c_void_p]),
    ('cm_event_id', c_char_p, [c_void_p]),
    ('cm_event_client_id', c_char_p, [c_void_p]),
    ('cm_event_type', c_int32, [c_void_p]),
    ('cm_event_revision', c_int64, [c_void_p]),
    ('cm_event_recorded', c_int64, [c_void_p]),
    ('cm_event_amends', c_char_p, [c_void_p]),
    ('cm_event_text', c_char_p, [c_void_p, c_int32]),
    ('cm_event_get_int', c_int, [POINTER(c_int64), c_void_p, c_int32]),
    ('cm_event_set_text', c_int, [c_void_p, c_int32, c_char_p]),
    ('cm_event_set_int', c_int, [c_void_p, c_int32, c_int64]),
    ('cm_event_set_amends', c_int, [c_void_p, c_char_p]),
    ('cm_event_timeline', c_int, [POINTER(c_void_p), c_void_p, c_char_p, c_int64, c_int64, c_int32]),
    ('cm_event_timeline_rows', c_int, [POINTER(c_size_t), POINTER(c_size_t), POINTER(cm_event_row), c_size_t, c_size_t, c_void_p, c_char_p, c_int64, c_int64, c_int32, c_size_t]),
    ('cm_event_iter_next', c_int, [POINTER(c_void_p), c_void_p]),
    ('cm_event_iter_amended_by', c_char_p, [c_void_p]),
    ('cm_event_iter_count', c_size_t, [c_void_p]),
    ('cm_event_iter_free', None, [c_void_p]),
    ('cm_plan_status_code', c_char_p, [c_int32]),
    ('cm_plan_intent_code', c_char_p, [c_int32]),
    ('cm_goal_status_code', c_char_p, [c_int32]),
    ('cm_goal_achievement_code', c_char_p, [c_int32]),
    ('cm_activity_status_code', c_char_p, [c_int32]),
    ('cm_plan_status_parse', c_int, [POINTER(c_int32), c_char_p]),
    ('cm_goal_status_parse', c_int, [POINTER(c_int32), c_char_p]),
    ('cm_activity_status_parse', c_int, [POINTER(c_int32), c_char_p]),
    ('cm_store_set_plan_approval_required', c_int, [c_void_p, c_int32]),
    ('cm_plan_new', c_int, [POINTER(c_void_p), c_void_p, c_char_p]),
    ('cm_plan_get', c_int, [POINTER(c_void_p), c_void_p, c_char_p]),
    ('cm_plan_get_revision', c_int, [POINTER(c_void_p), c_void_p, c_char_p, c_int64]),
    ('cm_plan_free', None, [c_void_p]),
    ('cm_plan_save', c_int, [c_void_p, c_void_p]),
    ('cm_plan_id', c_char_p, [c_void_p]),
    ('cm_plan_client_id', c_char_p, [c_void_p]),
    ('cm_plan_revision', c_int64, [c_void_p]),
    ('cm_plan_created', c_int64, [c_void_p]),
    ('cm_plan_updated', c_int64, [c_void_p]),
    ('cm_plan_status', c_int32, [c_void_p]),
    ('cm_plan_text', c_char_p, [c_void_p, c_int32]),
    ('cm_plan_get_int', c_int, [POINTER(c_int64), c_void_p, c_int32]),
    ('cm_plan_set_text', c_int, [c_void_p, c_int32, c_char_p]),
    ('cm_plan_set_int', c_int, [c_void_p, c_int32, c_int64]),
    ('cm_plan_set_status', c_int, [c_void_p, c_int32, c_char_p]),
    ('cm_plan_status_history_count', c_size_t, [c_void_p]),
    ('cm_plan_status_history_at', c_int, [POINTER(c_int32), POINTER(c_int32), POINTER(c_int64), POINTER(c_char_p), POINTER(c_char_p), c_void_p, c_size_t]),
    ('cm_plan_approve', c_int, [c_void_p, c_char_p, c_int64]),
    ('cm_plan_approval', c_int, [POINTER(c_char_p), POINTER(c_int64), c_void_p]),
    ('cm_plan_add_problem', c_int, [POINTER(c_char_p), c_void_p, c_char_p, c_char_p, c_char_p]),
    ('cm_plan_add_goal', c_int, [POINTER(c_char_p), c_void_p, c_char_p]),
    ('cm_plan_add_intervention', c_int, [POINTER(c_char_p), c_void_p, c_char_p, c_int32, c_char_p]),
    ('cm_plan_element_count', c_size_t, [c_void_p, c_int32]),
    ('cm_plan_element_id', c_char_p, [c_void_p, c_int32, c_size_t]),
    ('cm_plan_element_text', c_char_p, [c_void_p, c_char_p, c_int32]),
    ('cm_plan_element_set_text', c_int, [c_void_p, c_char_p, c_int32, c_char_p]),
    ('cm_plan_element_get_int', c_int, [POINTER(c_int64), c_void_p, c_char_p, c_int32]),
    ('cm_plan_element_set_int', c_int, [c_void_p, c_char_p, c_int32, c_int64]),
    ('cm_plan_element_set_status', c_int, [c_void_p, c_char_p, c_int32, c_char_p]),
    ('cm_plan_element_status', c_int, [POINTER(c_int32), c_void_p, c_char_p]),
    ('cm_plan_element_history_count', c_size_t, [c_void_p, c_char_p]),
    ('cm_plan_element_history_at', c_int, [POINTER(c_int32), POINTER(c_int32), POINTER(c_int64), POINTER(c_char_p), POINTER(c_char_p), c_void_p, c_char_p, c_size_t]),
    ('cm_plan_link', c_int, [c_void_p, c_char_p, c_char_p]),
    ('cm_plan_link_count', c_size_t, [c_void_p, c_char_p]),
    ('cm_plan_link_at', c_char_p, [c_void_p, c_char_p, c_size_t]),
    ('cm_plan_goal_add_note', c_int, [c_void_p, c_char_p, c_char_p]),
    ('cm_plan_goal_note_count', c_size_t, [c_void_p, c_char_p]),
    ('cm_plan_goal_note_at', c_int, [POINTER(c_int64), POINTER(c_char_p), POINTER(c_char_p), POINTER(c_int32), c_void_p, c_char_p, c_size_t]),
    ('cm_plan_goal_set_achievement', c_int, [c_void_p, c_char_p, c_int32, c_char_p]),
    ('cm_plan_goal_achievement_history_count', c_size_t, [c_void_p, c_char_p]),
    ('cm_plan_goal_achievement_history_at', c_int, [POINTER(c_int32), POINTER(c_int32), POINTER(c_int64), POINTER(c_char_p), POINTER(c_char_p), c_void_p, c_char_p, c_size_t]),
    ('cm_plan_check', c_int, [POINTER(c_void_p), c_void_p, c_int32]),
    ('cm_plan_report_count', c_size_t, [c_void_p]),
    ('cm_plan_report_at', c_int, [POINTER(c_int32), POINTER(c_char_p), c_void_p, c_size_t]),
    ('cm_plan_report_free', None, [c_void_p]),
    ('cm_plan_gas_tscore', c_int, [POINTER(c_int32), c_void_p]),
    ('cm_store_set_contact_interval', c_int, [c_void_p, c_int32, c_int32]),
    ('cm_store_contact_interval', c_int, [POINTER(c_int32), c_void_p, c_int32]),
    ('cm_store_set_reassessment_interval', c_int, [c_void_p, c_int32, c_int32]),
    ('cm_store_reassessment_interval', c_int, [POINTER(c_int32), c_void_p, c_int32]),
    ('cm_store_refresh', c_int, [POINTER(c_size_t), c_void_p]),
    ('cm_client_record_contact', c_int, [c_void_p, c_void_p, c_void_p]),
    ('cm_worklist_query', c_int, [POINTER(c_void_p), c_void_p, c_char_p, c_int32, c_int32, c_uint32, c_size_t, c_size_t]),
    ('cm_worklist_next', c_int, [c_void_p]),
    ('cm_worklist_kind', c_int32, [c_void_p]),
    ('cm_worklist_priority', c_int32, [c_void_p]),
    ('cm_worklist_due', c_int32, [c_void_p]),
    ('cm_worklist_client_id', c_char_p, [c_void_p]),
    ('cm_worklist_record_kind', c_int32, [c_void_p]),
    ('cm_worklist_record_id', c_char_p, [c_void_p]),
    ('cm_worklist_contacts', c_int, [POINTER(c_size_t), POINTER(c_size_t), POINTER(cm_contact_row), c_size_t, c_size_t, c_void_p, c_char_p, c_int32, c_int32, c_size_t]),
    ('cm_worklist_count', c_size_t, [c_void_p]),
    ('cm_worklist_element_id', c_char_p, [c_void_p]),
    ('cm_worklist_total', c_size_t, [c_void_p]),
    ('cm_worklist_free', None, [c_void_p]),
    ('cm_caseload_list', c_int, [POINTER(c_void_p), c_void_p]),
    ('cm_caseload_iter_next', c_int, [c_void_p]),
    ('cm_caseload_iter_manager', c_char_p, [c_void_p]),
    ('cm_caseload_iter_clients', c_int64, [c_void_p]),
    ('cm_caseload_iter_load', c_int64, [c_void_p]),
    ('cm_caseload_iter_free', None, [c_void_p]),
    ('cm_caseload_reassign', c_int, [POINTER(c_size_t), c_void_p, c_char_p, c_char_p]),
    ('cm_measure_compute', c_int, [POINTER(c_int64), POINTER(c_int64), POINTER(c_int32), c_void_p, c_int32, c_int32, c_int32, c_int32, c_char_p]),
    ('cm_provider_new', c_int, [POINTER(c_void_p), c_void_p, c_char_p, c_int32]),
    ('cm_provider_get', c_int, [POINTER(c_void_p), c_void_p, c_char_p]),
    ('cm_provider_free', None, [c_void_p]),
    ('cm_provider_save', c_int, [c_void_p, c_void_p]),
    ('cm_provider_id', c_char_p, [c_void_p]),
    ('cm_provider_revision', c_int64, [c_void_p]),
    ('cm_provider_text', c_char_p, [c_void_p, c_int32]),
    ('cm_provider_set_text', c_int, [c_void_p, c_int32, c_char_p]),
    ('cm_provider_get_int', c_int, [POINTER(c_int64), c_void_p, c_int32]),
    ('cm_provider_set_int', c_int, [c_void_p, c_int32, c_int64]),
    ('cm_provider_set_network', c_int, [c_void_p, c_char_p, c_int32]),
    ('cm_provider_network', c_int, [POINTER(c_int32), c_void_p, c_char_p]),
    ('cm_task_status_code', c_char_p, [c_int32]),
    ('cm_task_status_side', c_int32, [c_int32]),
    ('cm_service_new', c_int, [POINTER(c_void_p), c_void_p, c_char_p, c_char_p]),
    ('cm_service_get', c_int, [POINTER(c_void_p), c_void_p, c_char_p]),
    ('cm_service_free', None, [c_void_p]),
    ('cm_service_save', c_int, [c_void_p, c_void_p]),
    ('cm_service_id', c_char_p, [c_void_p]),
    ('cm_service_client_id', c_char_p, [c_void_p]),
    ('cm_service_revision', c_int64, [c_void_p]),
    ('cm_service_status', c_int32, [c_void_p]),
    ('cm_service_text', c_char_p, [c_void_p, c_int32]),
    ('cm_service_set_text', c_int, [c_void_p, c_int32, c_char_p]),
    ('cm_service_get_int', c_int, [POINTER(c_int64), c_void_p, c_int32]),
    ('cm_service_set_int', c_int, [c_void_p, c_int32, c_int64]),
    ('cm_service_set_status', c_int, [c_void_p, c_int32, c_int32, c_char_p]),
    ('cm_service_status_history_count', c_size_t, [c_void_p]),
    ('cm_service_status_history_at', c_int, [POINTER(c_int32), POINTER(c_int32), POINTER(c_int64), POINTER(c_char_p), POINTER(c_char_p), c_void_p, c_size_t]),
    ('cm_service_add_share', c_int, [c_void_p, c_int32, c_char_p, c_int64]),
    ('cm_service_remove_share', c_int, [c_void_p, c_size_t]),
    ('cm_service_share_count', c_size_t, [c_void_p]),
    ('cm_service_share_at', c_int, [POINTER(c_int32), POINTER(c_char_p), POINTER(c_int64), c_void_p, c_size_t]),
    ('cm_service_funding_check', c_int, [POINTER(c_int32), POINTER(c_int64), c_void_p]),
    ('cm_service_list', c_int, [POINTER(c_void_p), c_void_p, c_char_p]),
    ('cm_service_iter_next', c_int, [POINTER(c_void_p), c_void_p]),
    ('cm_service_iter_count', c_size_t, [c_void_p]),
    ('cm_service_iter_free', None, [c_void_p]),
    ('cm_crc32c', c_uint32, [c_uint32, c_void_p, c_size_t]),
    ('cm_store_open_journal', c_int, [POINTER(c_void_p), c_char_p, c_int32, POINTER(cm_store_options)]),
    ('cm_store_compact', c_int, [c_void_p]),
    ('cm_store_options_init', c_int, [POINTER(cm_store_options), c_uint32]),
    ('cm_store_open', c_int, [POINTER(c_void_p), POINTER(cm_store_options)]),
    ('cm_store_close', None, [c_void_p]),
    ('cm_store_errmsg', c_char_p, [c_void_p]),
    ('cm_store_errmsg_copy', c_int, [c_void_p, c_char_p, c_size_t]),
    ('cm_store_now', c_int, [POINTER(c_int64), c_void_p]),
    ('cm_txn_begin', c_int, [POINTER(c_void_p), c_void_p, c_char_p]),
    ('cm_txn_commit', c_int, [c_void_p]),
    ('cm_txn_rollback', None, [c_void_p]),
    ('cm_txn_time', c_int64, [c_void_p]),
    ('cm_txn_actor', c_char_p, [c_void_p]),
    ('cm_kind_name', c_char_p, [c_int32]),
    ('cm_action_name', c_char_p, [c_int32]),
    ('cm_store_set_change_callback', c_int, [c_void_p, cm_change_fn, c_void_p]),
    ('cm_audit_query', c_int, [POINTER(c_void_p), c_void_p, c_char_p, c_char_p, c_int64, c_int64]),
    ('cm_audit_iter_next', c_int, [c_void_p]),
    ('cm_audit_iter_time', c_int64, [c_void_p]),
    ('cm_audit_iter_actor', c_char_p, [c_void_p]),
    ('cm_audit_iter_action', c_int32, [c_void_p]),
    ('cm_audit_iter_kind', c_int32, [c_void_p]),
    ('cm_audit_iter_record_id', c_char_p, [c_void_p]),
    ('cm_audit_iter_revision', c_int64, [c_void_p]),
    ('cm_audit_iter_free', None, [c_void_p]),
]


class _Missing:
    """Stands in for a function the loaded library does not export (an
    older library, or one built without the file journal)."""

    def __init__(self, name):
        self.__name__ = name

    def __call__(self, *args):
        raise NotImplementedError(f"{self.__name__} is not exported by the loaded libcasemgr")


class Lib:
    """The loaded library: one attribute per FUNCTIONS row, without the cm_
    prefix (lib.client_new), with restype and argtypes set."""

    def __init__(self, path):
        self.path = path
        self.dll = ctypes.CDLL(path)
        for name, restype, argtypes in FUNCTIONS:
            try:
                f = getattr(self.dll, name)
            except AttributeError:
                f = _Missing(name)
            else:
                f.restype = restype
                f.argtypes = argtypes
            setattr(self, name[3:], f)


def find_library():
    """CASEMGR_LIB if set, else what the loader / pkg-config finds."""
    path = os.environ.get("CASEMGR_LIB")
    if path:
        return path
    try:
        import subprocess
        libdir = subprocess.run(["pkg-config", "--variable=libdir", "casemgr"],
                                capture_output=True, text=True, check=True).stdout.strip()
        cand = os.path.join(libdir, "libcasemgr.so.1")
        if os.path.exists(cand):
            return cand
    except (OSError, subprocess.CalledProcessError):
        pass
    return ctypes.util.find_library("casemgr") or "libcasemgr.so.1"


_lib = None


def load():
    global _lib
    if _lib is None:
        _lib = Lib(find_library())
    return _lib
