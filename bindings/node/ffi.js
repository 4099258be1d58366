'use strict';
// casemgr/ffi.js - the C declarations for koffi, one row per CM_API function.
//
// FUNCTIONS holds ['restype', 'name', ['argtype', ...]] for every function
// of include/casemgr/*.h; tests/ffi/check_bindings.py compares it with the
// headers (suite 'abi'). New rows can be printed with
// `python3 tests/ffi/check_bindings.py . --emit node`.
// Type strings are koffi's C syntax: opaque handles are `cm_x *`, out-params
// `_Out_ T *`, borrowed strings `const char *` (copied into JS strings).

const path = require('path');
const fs = require('fs');
const koffi = require('koffi');

const OPAQUE = ['cm_assessment', 'cm_instrument', 'cm_client', 'cm_client_iter', 'cm_event',
  'cm_event_iter', 'cm_plan', 'cm_plan_report', 'cm_worklist', 'cm_caseload_iter',
  'cm_provider', 'cm_service', 'cm_service_iter', 'cm_store', 'cm_txn', 'cm_audit_iter'];
for (const name of OPAQUE) koffi.opaque(name);

const cm_malloc_fn = koffi.proto('void *cm_malloc_fn(void *ctx, size_t size)');
const cm_realloc_fn = koffi.proto('void *cm_realloc_fn(void *ctx, void *ptr, size_t size)');
const cm_free_fn = koffi.proto('void cm_free_fn(void *ctx, void *ptr)');
const cm_clock_fn = koffi.proto('int cm_clock_fn(void *ctx, int64_t *out_now)');
const cm_change_fn = koffi.proto('int cm_change_fn(void *ctx, int32_t kind, const char *id, int64_t revision, int32_t action)');
const cm_storage_emit_fn = koffi.proto('int cm_storage_emit_fn(void *emit_ctx, const void *bytes, size_t len)');
const storage_ctx_fn = koffi.proto('int cm_storage_ctx_fn(void *ctx)');
const storage_put_fn = koffi.proto('int cm_storage_put_fn(void *ctx, int32_t kind, const char *id, int64_t revision, int64_t prev_revision, const void *bytes, size_t len)');
const storage_load_fn = koffi.proto('int cm_storage_load_fn(void *ctx, cm_storage_emit_fn *emit, void *emit_ctx)');
const storage_load_since_fn = koffi.proto('int cm_storage_load_since_fn(void *ctx, const char *marker, cm_storage_emit_fn *emit, void *emit_ctx, void *out_marker, size_t out_marker_size)');
const storage_errmsg_fn = koffi.proto('const char *cm_storage_errmsg_fn(void *ctx)');

const cm_storage = koffi.struct('cm_storage', {
  version: 'uint32_t',
  begin: 'cm_storage_ctx_fn *',
  put: 'cm_storage_put_fn *',
  commit: 'cm_storage_ctx_fn *',
  rollback: 'cm_storage_ctx_fn *',
  load: 'cm_storage_load_fn *',
  close: 'cm_storage_ctx_fn *',
  errmsg: 'cm_storage_errmsg_fn *',
  load_since: 'cm_storage_load_since_fn *', // v2; null: cannot refresh
});

const cm_store_options = koffi.struct('cm_store_options', {
  version: 'uint32_t',
  flags: 'uint32_t',
  alloc_ctx: 'void *',
  malloc_fn: 'cm_malloc_fn *',
  realloc_fn: 'cm_realloc_fn *',
  free_fn: 'cm_free_fn *',
  clock_ctx: 'void *',
  clock_fn: 'cm_clock_fn *',
  id_seed: 'uint64_t',
  storage: 'void *', // const cm_storage *: memory from koffi.alloc
  storage_ctx: 'void *',
  errbuf: 'void *',
  errbuf_size: 'size_t',
});

const cm_client_summary = koffi.struct('cm_client_summary', {
  version: 'uint32_t',
  status: 'int32_t',
  risk_tier: 'int32_t',
  next_followup: 'int32_t',
  birth_date: 'int32_t',
  gender: 'int32_t',
  revision: 'int64_t',
  id: koffi.array('char', 65, 'String'),
  family: koffi.array('char', 201, 'String'),
  given: koffi.array('char', 201, 'String'),
  case_manager: koffi.array('char', 65, 'String'),
});

const cm_contact_row = koffi.struct('cm_contact_row', {
  kind: 'int32_t',
  priority: 'int32_t',
  due: 'int32_t',
  client_id: koffi.array('char', 65, 'String'),
});

const cm_event_row = koffi.struct('cm_event_row', {
  time: 'int64_t',
  text_len: 'size_t',
  type: 'int32_t',
  mode: 'int32_t',
  id: koffi.array('char', 65, 'String'),
  amends: koffi.array('char', 65, 'String'),
  amended_by: koffi.array('char', 65, 'String'),
  text: koffi.array('char', 128, 'String'),
});

const FUNCTIONS = [
  ['const char *', 'cm_assessment_status_code', ['int32_t']],
  ['int', 'cm_assessment_status_parse', ['_Out_ int32_t *', 'const char *']],
  ['const char *', 'cm_severity_code', ['int32_t']],
  ['int', 'cm_assessment_new', ['_Out_ cm_assessment **', 'cm_store *', 'const char *', 'const char *']],
  ['int', 'cm_assessment_get', ['_Out_ cm_assessment **', 'cm_store *', 'const char *']],
  ['int', 'cm_assessment_get_revision', ['_Out_ cm_assessment **', 'cm_store *', 'const char *', 'int64_t']],
  ['void', 'cm_assessment_free', ['cm_assessment *']],
  ['int', 'cm_assessment_save', ['cm_txn *', 'cm_assessment *']],
  ['const char *', 'cm_assessment_id', ['cm_assessment *']],
  ['int64_t', 'cm_assessment_revision', ['cm_assessment *']],
  ['int64_t', 'cm_assessment_created', ['cm_assessment *']],
  ['int64_t', 'cm_assessment_updated', ['cm_assessment *']],
  ['int32_t', 'cm_assessment_status', ['cm_assessment *']],
  ['const char *', 'cm_assessment_client_id', ['cm_assessment *']],
  ['const char *', 'cm_assessment_instrument', ['cm_assessment *']],
  ['const char *', 'cm_assessment_text', ['cm_assessment *', 'int32_t']],
  ['int', 'cm_assessment_get_int', ['_Out_ int64_t *', 'cm_assessment *', 'int32_t']],
  ['int', 'cm_assessment_set_text', ['cm_assessment *', 'int32_t', 'const char *']],
  ['int', 'cm_assessment_set_int', ['cm_assessment *', 'int32_t', 'int64_t']],
  ['int', 'cm_assessment_set_answer', ['cm_assessment *', 'const char *', 'int32_t']],
  ['int', 'cm_assessment_clear_answer', ['cm_assessment *', 'const char *']],
  ['int', 'cm_assessment_answer', ['_Out_ int32_t *', 'cm_assessment *', 'const char *']],
  ['size_t', 'cm_assessment_answer_count', ['cm_assessment *']],
  ['int', 'cm_assessment_answer_at', ['_Out_ const char **', '_Out_ int32_t *', 'cm_assessment *', 'size_t']],
  ['int', 'cm_assessment_set_status', ['cm_assessment *', 'int32_t', 'const char *']],
  ['size_t', 'cm_assessment_status_history_count', ['cm_assessment *']],
  ['int', 'cm_assessment_status_history_at', ['_Out_ int32_t *', '_Out_ int32_t *', '_Out_ int64_t *', '_Out_ const char **', '_Out_ const char **', 'cm_assessment *', 'size_t']],
  ['int', 'cm_assessment_score', ['_Out_ int32_t *', '_Out_ const char **', '_Out_ int32_t *', 'cm_assessment *']],
  ['size_t', 'cm_assessment_component_count', ['cm_assessment *']],
  ['int', 'cm_assessment_component_at', ['_Out_ const char **', '_Out_ int32_t *', 'cm_assessment *', 'size_t']],
  ['size_t', 'cm_assessment_finding_count', ['cm_assessment *']],
  ['int', 'cm_assessment_finding_at', ['_Out_ const char **', '_Out_ int32_t *', 'cm_assessment *', 'size_t']],
  ['int', 'cm_assessment_risk_tier', ['_Out_ int32_t *', 'cm_assessment *']],
  ['int', 'cm_assessment_apply_risk_tier', ['cm_txn *', 'cm_assessment *', 'cm_client *']],
  ['int', 'cm_store_set_risk_policy', ['cm_store *', 'const char *', 'int32_t', 'int32_t', 'int32_t']],
  ['int', 'cm_instrument_item_at', ['_Out_ const char **', '_Out_ int32_t *', '_Out_ int32_t *', '_Out_ int32_t *', 'cm_store *', 'const char *', 'size_t']],
  ['int', 'cm_instrument_new', ['_Out_ cm_instrument **', 'cm_store *', 'const char *', 'const char *']],
  ['int', 'cm_instrument_add_item', ['cm_instrument *', 'const char *', 'int32_t', 'int32_t', 'int32_t']],
  ['int', 'cm_instrument_add_band', ['cm_instrument *', 'int32_t', 'const char *', 'int32_t']],
  ['void', 'cm_instrument_free', ['cm_instrument *']],
  ['int', 'cm_store_register_instrument', ['cm_store *', 'cm_instrument *']],
  ['const char *', 'cm_case_status_code', ['int32_t']],
  ['int', 'cm_case_status_parse', ['_Out_ int32_t *', 'const char *']],
  ['const char *', 'cm_gender_code', ['int32_t']],
  ['int', 'cm_client_new', ['_Out_ cm_client **', 'cm_store *']],
  ['int', 'cm_client_get', ['_Out_ cm_client **', 'cm_store *', 'const char *']],
  ['int', 'cm_client_find', ['_Out_ cm_client **', 'cm_store *', 'const char *', 'const char *']],
  ['int', 'cm_client_get_summary', ['_Inout_ cm_client_summary *', 'cm_store *', 'const char *']],
  ['int', 'cm_client_find_summary', ['_Inout_ cm_client_summary *', 'cm_store *', 'const char *', 'const char *']],
  ['void', 'cm_client_free', ['cm_client *']],
  ['int', 'cm_client_save', ['cm_txn *', 'cm_client *']],
  ['const char *', 'cm_client_id', ['cm_client *']],
  ['int64_t', 'cm_client_revision', ['cm_client *']],
  ['int64_t', 'cm_client_created', ['cm_client *']],
  ['int64_t', 'cm_client_updated', ['cm_client *']],
  ['int32_t', 'cm_client_status', ['cm_client *']],
  ['const char *', 'cm_client_text', ['cm_client *', 'int32_t']],
  ['int', 'cm_client_get_int', ['_Out_ int64_t *', 'cm_client *', 'int32_t']],
  ['int', 'cm_client_set_id', ['cm_client *', 'const char *']],
  ['int', 'cm_client_set_text', ['cm_client *', 'int32_t', 'const char *']],
  ['int', 'cm_client_set_int', ['cm_client *', 'int32_t', 'int64_t']],
  ['int', 'cm_client_set_status', ['cm_client *', 'int32_t', 'const char *']],
  ['size_t', 'cm_client_status_history_count', ['cm_client *']],
  ['int', 'cm_client_status_history_at', ['_Out_ int32_t *', '_Out_ int32_t *', '_Out_ int64_t *', '_Out_ const char **', '_Out_ const char **', 'cm_client *', 'size_t']],
  ['int', 'cm_client_set_identifier', ['cm_client *', 'const char *', 'const char *']],
  ['const char *', 'cm_client_identifier', ['cm_client *', 'const char *']],
  ['size_t', 'cm_client_identifier_count', ['cm_client *']],
  ['int', 'cm_client_identifier_at', ['_Out_ const char **', '_Out_ const char **', 'cm_client *', 'size_t']],
  ['int', 'cm_client_add_coverage', ['cm_client *', 'const char *', 'const char *', 'const char *']],
  ['int', 'cm_client_remove_coverage', ['cm_client *', 'size_t']],
  ['size_t', 'cm_client_coverage_count', ['cm_client *']],
  ['int', 'cm_client_coverage_at', ['_Out_ const char **', '_Out_ const char **', '_Out_ const char **', 'cm_client *', 'size_t']],
  ['int', 'cm_client_add_care_team_member', ['cm_client *', 'const char *', 'const char *', 'const char *']],
  ['int', 'cm_client_remove_care_team_member', ['cm_client *', 'size_t']],
  ['size_t', 'cm_client_care_team_count', ['cm_client *']],
  ['int', 'cm_client_care_team_at', ['_Out_ const char **', '_Out_ const char **', '_Out_ const char **', 'cm_client *', 'size_t']],
  ['int', 'cm_client_list', ['_Out_ cm_client_iter **', 'cm_store *', 'int32_t', 'const char *', 'const char *']],
  ['int', 'cm_client_iter_next', ['_Out_ cm_client **', 'cm_client_iter *']],
  ['size_t', 'cm_client_iter_count', ['cm_client_iter *']],
  ['void', 'cm_client_iter_free', ['cm_client_iter *']],
  ['int32_t', 'cm_version', []],
  ['const char *', 'cm_version_string', []],
  ['const char *', 'cm_strerror', ['int']],
  ['const char *', 'cm_error_name', ['int']],
  ['int', 'cm_date_from_ymd', ['_Out_ int32_t *', 'int32_t', 'int32_t', 'int32_t']],
  ['int', 'cm_date_to_ymd', ['_Out_ int32_t *', '_Out_ int32_t *', '_Out_ int32_t *', 'int32_t']],
  ['int', 'cm_date_parse', ['_Out_ int32_t *', 'const char *']],
  ['int', 'cm_date_format', ['char *', 'size_t', 'int32_t']],
  ['int', 'cm_time_parse', ['_Out_ int64_t *', 'const char *']],
  ['int', 'cm_time_format', ['char *', 'size_t', 'int64_t']],
  ['int', 'cm_time_to_date', ['_Out_ int32_t *', 'int64_t']],
  ['int', 'cm_utf8_check', ['const char *', 'size_t']],
  ['const char *', 'cm_event_type_code', ['int32_t']],
  ['int', 'cm_event_new', ['_Out_ cm_event **', 'cm_store *', 'const char *', 'int32_t', 'int64_t']],
  ['int', 'cm_event_add', ['cm_txn *', 'char *', 'size_t', 'const char *', 'int32_t', 'int64_t', 'int32_t', 'const char *']],
  ['int', 'cm_event_get', ['_Out_ cm_event **', 'cm_store *', 'const char *']],
  ['void', 'cm_event_free', ['cm_event *']],
  ['int', 'cm_event_save', ['cm_txn *', 'cm_event *']],
  ['const char *', 'cm_event_id', ['cm_event *']],
  ['const char *', 'cm_event_client_id', ['cm_event *']],
  ['int32_t', 'cm_event_type', ['cm_event *']],
  ['int64_t', 'cm_event_revision', ['cm_event *']],
  ['int64_t', 'cm_event_recorded', ['cm_event *']],
  ['const char *', 'cm_event_amends', ['cm_event *']],
  ['const char *', 'cm_event_text', ['cm_event *', 'int32_t']],
  ['int', 'cm_event_get_int', ['_Out_ int64_t *', 'cm_event *', 'int32_t']],
  ['int', 'cm_event_set_text', ['cm_event *', 'int32_t', 'const char *']],
  ['int', 'cm_event_set_int', ['cm_event *', 'int32_t', 'int64_t']],
  ['int', 'cm_event_set_amends', ['cm_event *', 'const char *']],
  ['int', 'cm_event_timeline', ['_Out_ cm_event_iter **', 'cm_store *', 'const char *', 'int64_t', 'int64_t', 'int32_t']],
  ['int', 'cm_event_timeline_rows', ['_Out_ size_t *', '_Out_ size_t *', '_Inout_ cm_event_row *', 'size_t', 'size_t', 'cm_store *', 'const char *', 'int64_t', 'int64_t', 'int32_t', 'size_t']],
  ['int', 'cm_event_iter_next', ['_Out_ cm_event **', 'cm_event_iter *']],
  ['const char *', 'cm_event_iter_amended_by', ['cm_event_iter *']],
  ['size_t', 'cm_event_iter_count', ['cm_event_iter *']],
  ['void', 'cm_event_iter_free', ['cm_event_iter *']],
  ['const char *', 'cm_plan_status_code', ['int32_t']],
  ['const char *', 'cm_plan_intent_code', ['int32_t']],
  ['const char *', 'cm_goal_status_code', ['int32_t']],
  ['const char *', 'cm_goal_achievement_code', ['int32_t']],
  ['const char *', 'cm_activity_status_code', ['int32_t']],
  ['int', 'cm_plan_status_parse', ['_Out_ int32_t *', 'const char *']],
  ['int', 'cm_goal_status_parse', ['_Out_ int32_t *', 'const char *']],
  ['int', 'cm_activity_status_parse', ['_Out_ int32_t *', 'const char *']],
  ['int', 'cm_store_set_plan_approval_required', ['cm_store *', 'int32_t']],
  ['int', 'cm_plan_new', ['_Out_ cm_plan **', 'cm_store *', 'const char *']],
  ['int', 'cm_plan_get', ['_Out_ cm_plan **', 'cm_store *', 'const char *']],
  ['int', 'cm_plan_get_revision', ['_Out_ cm_plan **', 'cm_store *', 'const char *', 'int64_t']],
  ['void', 'cm_plan_free', ['cm_plan *']],
  ['int', 'cm_plan_save', ['cm_txn *', 'cm_plan *']],
  ['const char *', 'cm_plan_id', ['cm_plan *']],
  ['const char *', 'cm_plan_client_id', ['cm_plan *']],
  ['int64_t', 'cm_plan_revision', ['cm_plan *']],
  ['int64_t', 'cm_plan_created', ['cm_plan *']],
  ['int64_t', 'cm_plan_updated', ['cm_plan *']],
  ['int32_t', 'cm_plan_status', ['cm_plan *']],
  ['const char *', 'cm_plan_text', ['cm_plan *', 'int32_t']],
  ['int', 'cm_plan_get_int', ['_Out_ int64_t *', 'cm_plan *', 'int32_t']],
  ['int', 'cm_plan_set_text', ['cm_plan *', 'int32_t', 'const char *']],
  ['int', 'cm_plan_set_int', ['cm_plan *', 'int32_t', 'int64_t']],
  ['int', 'cm_plan_set_status', ['cm_plan *', 'int32_t', 'const char *']],
  ['size_t', 'cm_plan_status_history_count', ['cm_plan *']],
  ['int', 'cm_plan_status_history_at', ['_Out_ int32_t *', '_Out_ int32_t *', '_Out_ int64_t *', '_Out_ const char **', '_Out_ const char **', 'cm_plan *', 'size_t']],
  ['int', 'cm_plan_approve', ['cm_plan *', 'const char *', 'int64_t']],
  ['int', 'cm_plan_approval', ['_Out_ const char **', '_Out_ int64_t *', 'cm_plan *']],
  ['int', 'cm_plan_add_problem', ['_Out_ const char **', 'cm_plan *', 'const char *', 'const char *', 'const char *']],
  ['int', 'cm_plan_add_goal', ['_Out_ const char **', 'cm_plan *', 'const char *']],
  ['int', 'cm_plan_add_intervention', ['_Out_ const char **', 'cm_plan *', 'const char *', 'int32_t', 'const char *']],
  ['size_t', 'cm_plan_element_count', ['cm_plan *', 'int32_t']],
  ['const char *', 'cm_plan_element_id', ['cm_plan *', 'int32_t', 'size_t']],
  ['const char *', 'cm_plan_element_text', ['cm_plan *', 'const char *', 'int32_t']],
  ['int', 'cm_plan_element_set_text', ['cm_plan *', 'const char *', 'int32_t', 'const char *']],
  ['int', 'cm_plan_element_get_int', ['_Out_ int64_t *', 'cm_plan *', 'const char *', 'int32_t']],
  ['int', 'cm_plan_element_set_int', ['cm_plan *', 'const char *', 'int32_t', 'int64_t']],
  ['int', 'cm_plan_element_set_status', ['cm_plan *', 'const char *', 'int32_t', 'const char *']],
  ['int', 'cm_plan_element_status', ['_Out_ int32_t *', 'cm_plan *', 'const char *']],
  ['size_t', 'cm_plan_element_history_count', ['cm_plan *', 'const char *']],
  ['int', 'cm_plan_element_history_at', ['_Out_ int32_t *', '_Out_ int32_t *', '_Out_ int64_t *', '_Out_ const char **', '_Out_ const char **', 'cm_plan *', 'const char *', 'size_t']],
  ['int', 'cm_plan_link', ['cm_plan *', 'const char *', 'const char *']],
  ['size_t', 'cm_plan_link_count', ['cm_plan *', 'const char *']],
  ['const char *', 'cm_plan_link_at', ['cm_plan *', 'const char *', 'size_t']],
  ['int', 'cm_plan_goal_add_note', ['cm_plan *', 'const char *', 'const char *']],
  ['size_t', 'cm_plan_goal_note_count', ['cm_plan *', 'const char *']],
  ['int', 'cm_plan_goal_note_at', ['_Out_ int64_t *', '_Out_ const char **', '_Out_ const char **', '_Out_ int32_t *', 'cm_plan *', 'const char *', 'size_t']],
  ['int', 'cm_plan_goal_set_achievement', ['cm_plan *', 'const char *', 'int32_t', 'const char *']],
  ['size_t', 'cm_plan_goal_achievement_history_count', ['cm_plan *', 'const char *']],
  ['int', 'cm_plan_goal_achievement_history_at', ['_Out_ int32_t *', '_Out_ int32_t *', '_Out_ int64_t *', '_Out_ const char **', '_Out_ const char **', 'cm_plan *', 'const char *', 'size_t']],
  ['int', 'cm_plan_check', ['_Out_ cm_plan_report **', 'cm_plan *', 'int32_t']],
  ['size_t', 'cm_plan_report_count', ['cm_plan_report *']],
  ['int', 'cm_plan_report_at', ['_Out_ int32_t *', '_Out_ const char **', 'cm_plan_report *', 'size_t']],
  ['void', 'cm_plan_report_free', ['cm_plan_report *']],
  ['int', 'cm_plan_gas_tscore', ['_Out_ int32_t *', 'cm_plan *']],
  ['int', 'cm_store_set_contact_interval', ['cm_store *', 'int32_t', 'int32_t']],
  ['int', 'cm_store_contact_interval', ['_Out_ int32_t *', 'cm_store *', 'int32_t']],
  ['int', 'cm_store_set_reassessment_interval', ['cm_store *', 'int32_t', 'int32_t']],
  ['int', 'cm_store_reassessment_interval', ['_Out_ int32_t *', 'cm_store *', 'int32_t']],
  ['int', 'cm_store_refresh', ['_Out_ size_t *', 'cm_store *']],
  ['int', 'cm_client_record_contact', ['cm_txn *', 'cm_client *', 'cm_event *']],
  ['int', 'cm_worklist_query', ['_Out_ cm_worklist **', 'cm_store *', 'const char *', 'int32_t', 'int32_t', 'uint32_t', 'size_t', 'size_t']],
  ['int', 'cm_worklist_next', ['cm_worklist *']],
  ['int32_t', 'cm_worklist_kind', ['cm_worklist *']],
  ['int32_t', 'cm_worklist_priority', ['cm_worklist *']],
  ['int32_t', 'cm_worklist_due', ['cm_worklist *']],
  ['const char *', 'cm_worklist_client_id', ['cm_worklist *']],
  ['int32_t', 'cm_worklist_record_kind', ['cm_worklist *']],
  ['const char *', 'cm_worklist_record_id', ['cm_worklist *']],
  ['int', 'cm_worklist_contacts', ['_Out_ size_t *', '_Out_ size_t *', '_Inout_ cm_contact_row *', 'size_t', 'size_t', 'cm_store *', 'const char *', 'int32_t', 'int32_t', 'size_t']],
  ['size_t', 'cm_worklist_count', ['cm_worklist *']],
  ['const char *', 'cm_worklist_element_id', ['cm_worklist *']],
  ['size_t', 'cm_worklist_total', ['cm_worklist *']],
  ['void', 'cm_worklist_free', ['cm_worklist *']],
  ['int', 'cm_caseload_list', ['_Out_ cm_caseload_iter **', 'cm_store *']],
  ['int', 'cm_caseload_iter_next', ['cm_caseload_iter *']],
  ['const char *', 'cm_caseload_iter_manager', ['cm_caseload_iter *']],
  ['int64_t', 'cm_caseload_iter_clients', ['cm_caseload_iter *']],
  ['int64_t', 'cm_caseload_iter_load', ['cm_caseload_iter *']],
  ['void', 'cm_caseload_iter_free', ['cm_caseload_iter *']],
  ['int', 'cm_caseload_reassign', ['_Out_ size_t *', 'cm_txn *', 'const char *', 'const char *']],
  ['int', 'cm_measure_compute', ['_Out_ int64_t *', '_Out_ int64_t *', '_Out_ int32_t *', 'cm_store *', 'int32_t', 'int32_t', 'int32_t', 'int32_t', 'const char *']],
  ['int', 'cm_provider_new', ['_Out_ cm_provider **', 'cm_store *', 'const char *', 'int32_t']],
  ['int', 'cm_provider_get', ['_Out_ cm_provider **', 'cm_store *', 'const char *']],
  ['void', 'cm_provider_free', ['cm_provider *']],
  ['int', 'cm_provider_save', ['cm_txn *', 'cm_provider *']],
  ['const char *', 'cm_provider_id', ['cm_provider *']],
  ['int64_t', 'cm_provider_revision', ['cm_provider *']],
  ['const char *', 'cm_provider_text', ['cm_provider *', 'int32_t']],
  ['int', 'cm_provider_set_text', ['cm_provider *', 'int32_t', 'const char *']],
  ['int', 'cm_provider_get_int', ['_Out_ int64_t *', 'cm_provider *', 'int32_t']],
  ['int', 'cm_provider_set_int', ['cm_provider *', 'int32_t', 'int64_t']],
  ['int', 'cm_provider_set_network', ['cm_provider *', 'const char *', 'int32_t']],
  ['int', 'cm_provider_network', ['_Out_ int32_t *', 'cm_provider *', 'const char *']],
  ['const char *', 'cm_task_status_code', ['int32_t']],
  ['int32_t', 'cm_task_status_side', ['int32_t']],
  ['int', 'cm_service_new', ['_Out_ cm_service **', 'cm_store *', 'const char *', 'const char *']],
  ['int', 'cm_service_get', ['_Out_ cm_service **', 'cm_store *', 'const char *']],
  ['void', 'cm_service_free', ['cm_service *']],
  ['int', 'cm_service_save', ['cm_txn *', 'cm_service *']],
  ['const char *', 'cm_service_id', ['cm_service *']],
  ['const char *', 'cm_service_client_id', ['cm_service *']],
  ['int64_t', 'cm_service_revision', ['cm_service *']],
  ['int32_t', 'cm_service_status', ['cm_service *']],
  ['const char *', 'cm_service_text', ['cm_service *', 'int32_t']],
  ['int', 'cm_service_set_text', ['cm_service *', 'int32_t', 'const char *']],
  ['int', 'cm_service_get_int', ['_Out_ int64_t *', 'cm_service *', 'int32_t']],
  ['int', 'cm_service_set_int', ['cm_service *', 'int32_t', 'int64_t']],
  ['int', 'cm_service_set_status', ['cm_service *', 'int32_t', 'int32_t', 'const char *']],
  ['size_t', 'cm_service_status_history_count', ['cm_service *']],
  ['int', 'cm_service_status_history_at', ['_Out_ int32_t *', '_Out_ int32_t *', '_Out_ int64_t *', '_Out_ const char **', '_Out_ const char **', 'cm_service *', 'size_t']],
  ['int', 'cm_service_add_share', ['cm_service *', 'int32_t', 'const char *', 'int64_t']],
  ['int', 'cm_service_remove_share', ['cm_service *', 'size_t']],
  ['size_t', 'cm_service_share_count', ['cm_service *']],
  ['int', 'cm_service_share_at', ['_Out_ int32_t *', '_Out_ const char **', '_Out_ int64_t *', 'cm_service *', 'size_t']],
  ['int', 'cm_service_funding_check', ['_Out_ int32_t *', '_Out_ int64_t *', 'cm_service *']],
  ['int', 'cm_service_list', ['_Out_ cm_service_iter **', 'cm_store *', 'const char *']],
  ['int', 'cm_service_iter_next', ['_Out_ cm_service **', 'cm_service_iter *']],
  ['size_t', 'cm_service_iter_count', ['cm_service_iter *']],
  ['void', 'cm_service_iter_free', ['cm_service_iter *']],
  ['uint32_t', 'cm_crc32c', ['uint32_t', 'const void *', 'size_t']],
  ['int', 'cm_store_open_journal', ['_Out_ cm_store **', 'const char *', 'int32_t', 'const cm_store_options *']],
  ['int', 'cm_store_compact', ['cm_store *']],
  ['int', 'cm_store_options_init', ['_Inout_ cm_store_options *', 'uint32_t']],
  ['int', 'cm_store_open', ['_Out_ cm_store **', 'const cm_store_options *']],
  ['void', 'cm_store_close', ['cm_store *']],
  ['const char *', 'cm_store_errmsg', ['cm_store *']],
  ['int', 'cm_store_errmsg_copy', ['cm_store *', 'char *', 'size_t']],
  ['int', 'cm_store_now', ['_Out_ int64_t *', 'cm_store *']],
  ['int', 'cm_txn_begin', ['_Out_ cm_txn **', 'cm_store *', 'const char *']],
  ['int', 'cm_txn_commit', ['cm_txn *']],
  ['void', 'cm_txn_rollback', ['cm_txn *']],
  ['int64_t', 'cm_txn_time', ['cm_txn *']],
  ['const char *', 'cm_txn_actor', ['cm_txn *']],
  ['const char *', 'cm_kind_name', ['int32_t']],
  ['const char *', 'cm_action_name', ['int32_t']],
  ['int', 'cm_store_set_change_callback', ['cm_store *', 'cm_change_fn *', 'void *']],
  ['int', 'cm_audit_query', ['_Out_ cm_audit_iter **', 'cm_store *', 'const char *', 'const char *', 'int64_t', 'int64_t']],
  ['int', 'cm_audit_iter_next', ['cm_audit_iter *']],
  ['int64_t', 'cm_audit_iter_time', ['cm_audit_iter *']],
  ['const char *', 'cm_audit_iter_actor', ['cm_audit_iter *']],
  ['int32_t', 'cm_audit_iter_action', ['cm_audit_iter *']],
  ['int32_t', 'cm_audit_iter_kind', ['cm_audit_iter *']],
  ['const char *', 'cm_audit_iter_record_id', ['cm_audit_iter *']],
  ['int64_t', 'cm_audit_iter_revision', ['cm_audit_iter *']],
  ['void', 'cm_audit_iter_free', ['cm_audit_iter *']],
];

function findLibrary() {
  if (process.env.CASEMGR_LIB) return process.env.CASEMGR_LIB;
  try {
    const libdir = require('child_process')
      .execFileSync('pkg-config', ['--variable=libdir', 'casemgr'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim();
    const cand = path.join(libdir, 'libcasemgr.so.1');
    if (fs.existsSync(cand)) return cand;
  } catch (e) { /* no pkg-config or not installed: the loader path */ }
  return 'libcasemgr.so.1';
}

let lib = null;

// load(): an object with one function per row, named without the cm_
// prefix (lib.client_new). A function the loaded library does not export
// (an older library, the file journal in another build) throws when called.
function load() {
  if (lib) return lib;
  const file = findLibrary();
  const dll = koffi.load(file);
  const out = { path: file, missing: [] };
  for (const [ret, name, args] of FUNCTIONS) {
    const proto = `${ret} ${name}(${args.join(', ')})`;
    try {
      out[name.slice(3)] = dll.func(proto);
    } catch (e) {
      out.missing.push(name);
      out[name.slice(3)] = () => { throw new Error(`${name} is not exported by ${file}`); };
    }
  }
  lib = out;
  return lib;
}

module.exports = {
  koffi, FUNCTIONS, load, findLibrary,
  types: {
    cm_store_options, cm_storage, cm_client_summary, cm_contact_row, cm_event_row, cm_malloc_fn, cm_realloc_fn, cm_free_fn, cm_clock_fn,
    cm_change_fn, cm_storage_emit_fn, storage_ctx_fn, storage_put_fn, storage_load_fn,
    storage_errmsg_fn, storage_load_since_fn,
  },
};
