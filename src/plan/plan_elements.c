/*
 * Plan elements: problems, goals and interventions, their fields,
 * statuses, links and progress notes.
 */
#include <stdio.h>
#include <string.h>

#include "casemgr/assessment.h"
#include "plan/plan_impl.h"

#define H cm__plan_handle
#define CH cm__plan_chandle

/* The three element lists, by the first letter of their element ids. */
static const struct {
	char prefix;
	const struct cm__field *f;
	const struct cm__schema *schema;
} lists[] = {
	{ 'p', &cm__plan_fields[CM__PLAN_F_PROBLEMS], &cm__problem_schema },
	{ 'g', &cm__plan_fields[CM__PLAN_F_GOALS], &cm__goal_schema },
	{ 'i', &cm__plan_fields[CM__PLAN_F_INTERVENTIONS], &cm__intervention_schema },
};

static int list_index(int32_t kind)
{
	int i;
	for (i = 0; i < 3; i++)
		if (lists[i].prefix == kind)
			return i;
	return -1;
}

static const struct cm__list *list_at(const struct cm__handle *h, int li)
{
	return cm__field_list(lists[li].f, h->rec);
}

void *cm__plan_elem_ptr(const struct cm__handle *h, const struct cm__elem *e)
{
	const struct cm__list *l = cm__field_list(e->list, h->rec);
	return (char *)l->items + e->index * e->schema->size;
}

int cm__plan_elem(struct cm__elem *out, const struct cm__handle *h,
		  const char *eid)
{
	const struct cm__list *l;
	uint32_t i;
	int li;

	if (!eid)
		return cm__err(h->store, CM_EINVAL, "element id: NULL");
	if ((li = list_index(eid[0])) >= 0) {
		l = list_at(h, li);
		for (i = 0; i < l->count; i++) {
			/* Every element begins with its id. */
			const char *id = *(char *const *)(const void *)(
				(const char *)l->items + i * lists[li].schema->size);
			/* Ids differ early ("g1", "g2"): the prefix is the
			 * list's, the next byte tells most apart. */
			if (id[1] == eid[1] && strcmp(id, eid) == 0) {
				out->list = lists[li].f;
				out->schema = lists[li].schema;
				out->index = i;
				return CM_OK;
			}
		}
	}
	return cm__err(h->store, CM_ENOTFOUND, "plan '%s' has no element '%.16s'",
		       h->rec->id, eid);
}

/* ---- adding ------------------------------------------------------------ */

/* The id of element number n with a list's prefix ("g3"), as "%c%d"
 * would print it, without snprintf (a plan's elements are added one by
 * one, and a loader adds many). eid holds CM__EID_MAX + 1 bytes. */
static size_t format_eid(char *eid, char prefix, int32_t n)
{
	char digits[12], *start = eid;
	int k = 0;
	int64_t v = n;

	*eid++ = prefix;
	if (v < 0) {
		*eid++ = '-';
		v = -v;
	}
	do {
		digits[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		*eid++ = digits[--k];
	*eid = '\0';
	return (size_t)(eid - start);
}

/* Append an element of list li with a new id and the text fields that
 * follow the id in its schema set to copies of in[0..n-1], of len[0..n-1]
 * bytes (validated by the caller, which found their lengths; NULL or ""
 * = unset). Returns the element, owned by the handle. */
static void *add_elem(int *rc, const char **out_id, struct cm__handle *h,
		      int li, const char *const *in, const size_t *len, size_t n)
{
	const struct cm__schema *sc = lists[li].schema;
	char *copy[4] = { NULL, NULL, NULL, NULL };
	char eid[CM__EID_MAX + 1];
	struct cm__plan *p = (struct cm__plan *)h->rec;
	struct cm__list *l;
	void *e;
	size_t i;

	if (p->status == CM_PLAN_REVOKED || p->status == CM_PLAN_COMPLETED ||
	    p->status == CM_PLAN_ENTERED_IN_ERROR) {
		*rc = cm__err(h->store, CM_ESTATE,
			      "elements cannot be added to a %s plan",
			      cm_plan_status_code(p->status));
		return NULL;
	}
	if (list_at(h, li)->count >= CM__ELEMENTS_MAX) {
		*rc = cm__err(h->store, CM_ERANGE, "at most %d %ss in a plan",
			      CM__ELEMENTS_MAX, sc->name);
		return NULL;
	}
	if (!(copy[0] = cm__part_dup(h->store, h->rec, eid,
				     format_eid(eid, lists[li].prefix, p->next_eid))))
		goto nomem;
	for (i = 0; i < n; i++)
		if (len[i] && !(copy[i + 1] = cm__part_dup(h->store, h->rec, in[i],
							   len[i])))
			goto nomem;
	if (!(p = (struct cm__plan *)cm__handle_mut(h)) ||
	    !(l = cm__field_list_mut(h->store, &p->hdr, lists[li].f, p)) ||
	    cm__list_push(h->store, &p->hdr, l, sc, CM__ELEMENTS_MAX, &e))
		goto nomem;
	for (i = 0; i <= n; i++)
		*(char **)(void *)((char *)e + sc->fields[i].offset) = copy[i];
	p->next_eid++;
	h->mods++;
	if (out_id)
		*out_id = copy[0];
	*rc = CM_OK;
	return e;
nomem:
	for (i = n + 1; i-- > 0;)
		cm__part_free(h->store, h->rec, copy[i]);
	*rc = cm__err(h->store, CM_ENOMEM, "out of memory");
	return NULL;
}

/* Check text t, which must be set; its length in *len. */
static int required_text(cm_store *s, const char *t, size_t max,
			 const char *what, size_t *len)
{
	if (!t || !t[0])
		return cm__err(s, CM_EINVAL, "%s: required", what);
	return cm__check_text_len(s, t, max, what, 0, len);
}

/* CM_OK if the committed assessment has a finding in that domain. */
static int check_finding(cm_store *s, const char *assessment_id,
			 const char *domain)
{
	cm_assessment *a;
	const char *d;
	size_t i, n;
	int rc;

	if ((rc = cm_assessment_get(&a, s, assessment_id)))
		return rc;
	n = cm_assessment_finding_count(a);
	for (i = 0; i < n; i++)
		if (cm_assessment_finding_at(&d, NULL, a, i) == CM_OK &&
		    strcmp(d, domain) == 0)
			break;
	cm_assessment_free(a);
	return i < n ? CM_OK
		     : cm__err(s, CM_ENOTFOUND,
			       "assessment '%s' has no finding '%.64s'",
			       assessment_id, domain);
}

int cm_plan_add_problem(const char **out_id, cm_plan *plan,
			const char *description, const char *assessment_id,
			const char *finding_domain)
{
	struct cm__handle *h = H(plan);
	const char *in[3] = { description, assessment_id, finding_domain };
	size_t len[3] = { 0, 0, 0 };
	int rc;

	if (!h)
		return CM_EINVAL;
	if ((rc = required_text(h->store, description, 1000,
				"problem description", &len[0])))
		return rc;
	if (!assessment_id != !finding_domain)
		return cm__err(h->store, CM_EINVAL,
			       "a finding needs both its assessment and its domain");
	if (assessment_id &&
	    ((rc = required_text(h->store, assessment_id, 64, "finding source",
				 &len[1])) ||
	     (rc = required_text(h->store, finding_domain, 64, "finding domain",
				 &len[2])) ||
	     (rc = check_finding(h->store, assessment_id, finding_domain))))
		return rc;
	add_elem(&rc, out_id, h, 0, in, len, 3);
	return rc;
}

int cm_plan_add_goal(const char **out_id, cm_plan *plan, const char *description)
{
	struct cm__handle *h = H(plan);
	struct cm__goal *g;
	size_t len;
	int rc;

	if (!h)
		return CM_EINVAL;
	if ((rc = required_text(h->store, description, 1000, "goal description",
				&len)) ||
	    !(g = add_elem(&rc, out_id, h, 1, &description, &len, 1)))
		return rc;
	g->target_date = CM_DATE_NONE;
	g->status = CM_GOAL_PROPOSED;
	return CM_OK;
}

int cm_plan_add_intervention(const char **out_id, cm_plan *plan,
			     const char *what, int32_t kind,
			     const char *responsible)
{
	struct cm__handle *h = H(plan);
	const char *in[2] = { what, responsible };
	size_t len[2];
	struct cm__intervention *iv;
	int rc;

	if (!h)
		return CM_EINVAL;
	if ((rc = required_text(h->store, what, 1000, "intervention", &len[0])))
		return rc;
	if (kind < CM_RESPONSIBLE_CARE_TEAM || kind > CM_RESPONSIBLE_FAMILY)
		return cm__err(h->store, CM_ERANGE, "%d is not a responsible kind",
			       (int)kind);
	if ((rc = kind <= CM_RESPONSIBLE_PROVIDER
			  ? required_text(h->store, responsible, 200, "responsible",
					  &len[1])
			  : cm__check_text_len(h->store, responsible, 200,
					       "responsible", 1, &len[1])) ||
	    !(iv = add_elem(&rc, out_id, h, 2, in, len, 2)))
		return rc;
	iv->due_date = CM_DATE_NONE;
	iv->responsible_kind = kind;
	iv->status = CM_ACTIVITY_NOT_STARTED;
	return CM_OK;
}

size_t cm_plan_element_count(const cm_plan *plan, int32_t kind)
{
	const struct cm__handle *h = CH(plan);
	int li = list_index(kind);
	return (h && li >= 0) ? list_at(h, li)->count : 0;
}

const char *cm_plan_element_id(const cm_plan *plan, int32_t kind, size_t index)
{
	const struct cm__handle *h = CH(plan);
	const struct cm__list *l;
	int li = list_index(kind);

	if (!h || li < 0 || index >= (l = list_at(h, li))->count)
		return NULL;
	return *(char *const *)(const void *)((const char *)l->items +
					      index * lists[li].schema->size);
}

/* ---- fields ------------------------------------------------------------ */

const char *cm_plan_element_text(const cm_plan *plan, const char *eid,
				 int32_t field)
{
	const struct cm__handle *h = CH(plan);
	struct cm__elem e;

	if (!h || cm__plan_elem(&e, h, eid))
		return NULL;
	return cm__obj_text(h, &e, field);
}

int cm_plan_element_set_text(cm_plan *plan, const char *eid, int32_t field,
			     const char *value)
{
	struct cm__handle *h = H(plan);
	struct cm__elem e;
	int rc;

	if (!h)
		return CM_EINVAL;
	return (rc = cm__plan_elem(&e, h, eid)) ? rc
						: cm__obj_set_text(h, &e, field, value);
}

int cm_plan_element_get_int(int64_t *out, const cm_plan *plan, const char *eid,
			    int32_t field)
{
	const struct cm__handle *h = CH(plan);
	struct cm__elem e;
	int rc;

	if (!h || !out)
		return CM_EINVAL;
	return (rc = cm__plan_elem(&e, h, eid)) ? rc
						: cm__obj_get_int(out, h, &e, field);
}

int cm_plan_element_set_int(cm_plan *plan, const char *eid, int32_t field,
			    int64_t value)
{
	struct cm__handle *h = H(plan);
	struct cm__elem e;
	int rc;

	if (!h)
		return CM_EINVAL;
	if ((rc = cm__plan_elem(&e, h, eid)))
		return rc;
	if (field == CM_ELEMENT_ACHIEVEMENT && e.schema == &cm__goal_schema)
		return cm__err(h->store, CM_EINVAL,
			       "a goal's achievement status changes with "
			       "cm_plan_goal_set_achievement (it keeps a history)");
	return cm__obj_set_int(h, &e, field, value);
}

/* ---- statuses ---------------------------------------------------------- */

/* The element and its lifecycle, or NULL with *rc set; problems have no
 * lifecycle (CM_EINVAL). */
static const struct cm__lifecycle *lifecycle_of(struct cm__elem *e, int *rc,
						const struct cm__handle *h,
						const char *eid)
{
	if ((*rc = cm__plan_elem(e, h, eid)) != CM_OK)
		return NULL;
	if (e->schema == &cm__goal_schema)
		return &cm__goal_lifecycle;
	if (e->schema == &cm__intervention_schema)
		return &cm__activity_lifecycle;
	*rc = cm__err(h->store, CM_EINVAL, "problem '%s' has no status", eid);
	return NULL;
}

int cm_plan_element_set_status(cm_plan *plan, const char *eid, int32_t status,
			       const char *reason)
{
	struct cm__handle *h = H(plan);
	const struct cm__lifecycle *lc;
	struct cm__elem e;
	int rc;

	if (!h)
		return CM_EINVAL;
	if (!(lc = lifecycle_of(&e, &rc, h, eid)))
		return rc;
	return cm__obj_set_status(h, &e, lc, status, reason);
}

int cm_plan_element_status(int32_t *out, const cm_plan *plan, const char *eid)
{
	const struct cm__handle *h = CH(plan);
	const struct cm__lifecycle *lc;
	struct cm__elem e;
	int rc;

	if (!h || !out)
		return CM_EINVAL;
	if (!(lc = lifecycle_of(&e, &rc, h, eid)))
		return rc;
	*out = cm__obj_status(h, &e, lc);
	return CM_OK;
}

size_t cm_plan_element_history_count(const cm_plan *plan, const char *eid)
{
	const struct cm__handle *h = CH(plan);
	const struct cm__lifecycle *lc;
	struct cm__elem e;
	int rc;

	if (!h || !(lc = lifecycle_of(&e, &rc, h, eid)))
		return 0;
	return ((const struct cm__list *)(const void *)(
			(const char *)cm__plan_elem_ptr(h, &e) + lc->history_off))->count;
}

int cm_plan_element_history_at(int32_t *from, int32_t *to, int64_t *time,
			       const char **actor, const char **reason,
			       const cm_plan *plan, const char *eid, size_t index)
{
	const struct cm__handle *h = CH(plan);
	const struct cm__lifecycle *lc;
	struct cm__elem e;
	int rc;

	if (!h)
		return CM_EINVAL;
	if (!(lc = lifecycle_of(&e, &rc, h, eid)))
		return rc;
	return cm__obj_history_at(from, to, time, actor, reason, h, &e,
				  lc->history_off, index);
}

/* ---- links ------------------------------------------------------------- */

/* The link list of an element (goal: problems; intervention: goals), or
 * NULL for a problem. */
static const struct cm__list *links_of(const void *elem,
				       const struct cm__elem *e)
{
	if (e->schema == &cm__goal_schema)
		return &cm__goal_rare(elem)->problems;
	if (e->schema == &cm__intervention_schema)
		return &((const struct cm__intervention *)elem)->goals;
	return NULL;
}

/* links_of for changing (elem not packed, of record r): NULL if out of
 * memory. */
static struct cm__list *links_mut(cm_store *s, struct cm__rec *r, void *elem,
				  const struct cm__elem *e)
{
	if (e->schema == &cm__goal_schema)
		return cm__field_list_mut(s, r, cm__goal_problems_field, elem);
	return &((struct cm__intervention *)elem)->goals;
}

static int has_link(const struct cm__list *l, const char *id)
{
	uint32_t i;
	for (i = 0; i < l->count; i++)
		if (strcmp(CM__LIST_AT(l, struct cm__ref, i)->id, id) == 0)
			return 1;
	return 0;
}

int cm_plan_link(cm_plan *plan, const char *from_id, const char *to_id)
{
	struct cm__handle *h = H(plan);
	struct cm__elem from, to;
	const struct cm__list *l;
	struct cm__list *ml;
	struct cm__ref *ref;
	char *copy;
	int rc;

	if (!h)
		return CM_EINVAL;
	if ((rc = cm__plan_elem(&from, h, from_id)) ||
	    (rc = cm__plan_elem(&to, h, to_id)))
		return rc;
	if (!((from.schema == &cm__goal_schema && to.schema == &cm__problem_schema) ||
	      (from.schema == &cm__intervention_schema &&
	       to.schema == &cm__goal_schema)))
		return cm__err(h->store, CM_EINVAL,
			       "a %s cannot be linked to a %s (goals address "
			       "problems; interventions serve goals)",
			       from.schema->name, to.schema->name);
	l = links_of(cm__plan_elem_ptr(h, &from), &from);
	if (has_link(l, to_id))
		return CM_OK;
	if (l->count >= CM__LINKS_MAX)
		return cm__err(h->store, CM_ERANGE, "at most %d links per element",
			       CM__LINKS_MAX);
	if (!(copy = cm__part_dup(h->store, h->rec, to_id, strlen(to_id))))
		return cm__err(h->store, CM_ENOMEM, "out of memory");
	if (!cm__handle_mut(h) ||
	    !(ml = links_mut(h->store, h->rec, cm__plan_elem_ptr(h, &from),
			     &from)) ||
	    cm__list_push(h->store, h->rec, ml, &cm__ref_schema, CM__LINKS_MAX,
			  (void **)&ref)) {
		cm__part_free(h->store, h->rec, copy);
		return cm__err(h->store, CM_ENOMEM, "out of memory");
	}
	ref->id = copy;
	h->mods++;
	return CM_OK;
}

static const struct cm__list *links(const cm_plan *plan, const char *eid)
{
	const struct cm__handle *h = CH(plan);
	struct cm__elem e;

	if (!h || cm__plan_elem(&e, h, eid))
		return NULL;
	return links_of(cm__plan_elem_ptr(h, &e), &e);
}

size_t cm_plan_link_count(const cm_plan *plan, const char *eid)
{
	const struct cm__list *l = links(plan, eid);
	return l ? l->count : 0;
}

const char *cm_plan_link_at(const cm_plan *plan, const char *eid, size_t index)
{
	const struct cm__list *l = links(plan, eid);
	return (l && index < l->count) ? CM__LIST_AT(l, struct cm__ref, index)->id
				       : NULL;
}

/* ---- progress notes ---------------------------------------------------- */

static int goal_of(struct cm__elem *e, const struct cm__handle *h,
		   const char *eid)
{
	int rc = cm__plan_elem(e, h, eid);
	if (rc == CM_OK && e->schema != &cm__goal_schema)
		rc = cm__err(h->store, CM_EINVAL, "'%s' is not a goal", eid);
	return rc;
}

int cm_plan_goal_add_note(cm_plan *plan, const char *goal_id, const char *text)
{
	struct cm__handle *h = H(plan);
	struct cm__goal *g;
	struct cm__list *nl;
	struct cm__hist *n;
	struct cm__elem e;
	char *copy;
	size_t len;
	int rc;

	if (!h)
		return CM_EINVAL;
	if ((rc = goal_of(&e, h, goal_id)) ||
	    (rc = required_text(h->store, text, 4000, "progress note", &len)))
		return rc;
	if (!(copy = cm__part_dup(h->store, h->rec, text, len)))
		return cm__err(h->store, CM_ENOMEM, "out of memory");
	if (!cm__handle_mut(h) ||
	    !(nl = cm__field_list_mut(h->store, h->rec, cm__goal_notes_field,
				      g = cm__plan_elem_ptr(h, &e))) ||
	    cm__list_push(h->store, h->rec, nl, &cm__note_schema, UINT32_MAX,
			  (void **)&n)) {
		cm__part_free(h->store, h->rec, copy);
		return cm__err(h->store, CM_ENOMEM, "out of memory");
	}
	n->from = 0;
	n->to = g->achievement;
	n->time = CM_TIME_NONE;
	n->actor = NULL;
	n->reason = copy;
	h->mods++;
	return CM_OK;
}

size_t cm_plan_goal_note_count(const cm_plan *plan, const char *goal_id)
{
	const struct cm__handle *h = CH(plan);
	struct cm__elem e;

	if (!h || goal_of(&e, h, goal_id))
		return 0;
	return cm__goal_rare(cm__plan_elem_ptr(h, &e))->notes.count;
}

int cm_plan_goal_note_at(int64_t *out_time, const char **out_author,
			 const char **out_text, int32_t *out_achievement,
			 const cm_plan *plan, const char *goal_id, size_t index)
{
	const struct cm__handle *h = CH(plan);
	struct cm__elem e;
	int rc;

	if (!h)
		return CM_EINVAL;
	if ((rc = goal_of(&e, h, goal_id)))
		return rc;
	return cm__hist_at(NULL, out_achievement, out_time, out_author, out_text,
			   h, &cm__goal_rare(cm__plan_elem_ptr(h, &e))->notes,
			   index);
}

/* ---- achievement status ------------------------------------------------ */

int cm_plan_goal_set_achievement(cm_plan *plan, const char *goal_id,
				 int32_t achievement, const char *reason)
{
	struct cm__handle *h = H(plan);
	struct cm__elem e;
	int rc;

	if (!h)
		return CM_EINVAL;
	if ((rc = goal_of(&e, h, goal_id)))
		return rc;
	return cm__obj_set_status(h, &e, &cm__achievement_lifecycle, achievement,
				  reason);
}

size_t cm_plan_goal_achievement_history_count(const cm_plan *plan,
					      const char *goal_id)
{
	const struct cm__handle *h = CH(plan);
	struct cm__elem e;

	if (!h || goal_of(&e, h, goal_id))
		return 0;
	return cm__goal_rare(cm__plan_elem_ptr(h, &e))->achievement_history.count;
}

int cm_plan_goal_achievement_history_at(int32_t *from, int32_t *to,
					int64_t *time, const char **actor,
					const char **reason, const cm_plan *plan,
					const char *goal_id, size_t index)
{
	const struct cm__handle *h = CH(plan);
	struct cm__elem e;
	int rc;

	if (!h)
		return CM_EINVAL;
	if ((rc = goal_of(&e, h, goal_id)))
		return rc;
	return cm__hist_at(from, to, time, actor, reason, h,
			   &cm__goal_rare(cm__plan_elem_ptr(h, &e))
				    ->achievement_history,
			   index);
}
