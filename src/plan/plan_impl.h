/*
 * Internal: the care plan record. Problems, goals and interventions are
 * list elements of the plan; each begins with its element id so that one
 * lookup serves all three lists.
 */
#ifndef CM_PLAN_IMPL_H
#define CM_PLAN_IMPL_H

#include "casemgr/plan.h"
#include "store/store_impl.h"

#define CM__ELEMENTS_MAX 256
#define CM__LINKS_MAX 64
#define CM__EID_MAX 15

struct cm__ref {
	char *id; /* element id of the linked element */
};

struct cm__problem {
	char *eid;
	char *description;
	char *finding_source; /* assessment id */
	char *finding_domain;
};

/* A goal's rarely used lists (CM__LIST_RARE, in this order). */
struct cm__goal_rare {
	struct cm__list problems; /* struct cm__ref */
	struct cm__list notes;    /* struct cm__hist: to = achievement,
				     reason = text */
	struct cm__list achievement_history; /* struct cm__hist */
};

struct cm__goal {
	char *eid;
	char *description;
	/* Measure and target value: CM__TEXT_SPARSE, read with
	 * cm__field_text. */
	char *sparse;
	int32_t target_date;
	int32_t priority;
	int32_t achievement;
	int32_t gas_level;
	int32_t gas_weight;
	int32_t status;
	struct cm__list history;  /* struct cm__hist */
	/* NULL until one of them is used: read with cm__goal_rare. */
	struct cm__goal_rare *rare;
};

/* g's rarely used lists (all empty if it has none). */
const struct cm__goal_rare *cm__goal_rare(const struct cm__goal *g);
/* The goal fields of its rare lists (cm__field_list_mut). */
extern const struct cm__field *const cm__goal_problems_field;
extern const struct cm__field *const cm__goal_notes_field;

struct cm__intervention {
	char *eid;
	char *what;
	char *responsible;
	int32_t due_date;
	int32_t responsible_kind;
	int32_t status;
	struct cm__list goals;   /* struct cm__ref */
	struct cm__list history; /* struct cm__hist */
};

/* A plan's rarely used lists (CM__LIST_RARE, in this order). */
struct cm__plan_rare {
	struct cm__list problems;      /* struct cm__problem */
	struct cm__list interventions; /* struct cm__intervention */
};

struct cm__plan {
	struct cm__rec hdr;
	char *client_id;
	char *title;
	char *description;
	char *author;
	char *approved_by;
	int64_t approved_at;
	int32_t intent;
	int32_t period_start;
	int32_t period_end;
	int32_t next_review;
	int32_t status;
	int32_t next_eid; /* element ids are never reused */
	/* Problems and interventions: NULL until one is used; read with
	 * cm__plan_rare. */
	struct cm__plan_rare *rare;
	struct cm__list goals;         /* struct cm__goal */
	struct cm__list history;       /* struct cm__hist */
};

/* p's rarely used lists (all empty if it has none). */
const struct cm__plan_rare *cm__plan_rare(const struct cm__plan *p);
/* The plan's fields; its element lists are at these indexes. */
extern const struct cm__field cm__plan_fields[];
#define CM__PLAN_F_PROBLEMS 12
#define CM__PLAN_F_GOALS 13
#define CM__PLAN_F_INTERVENTIONS 14

extern const struct cm__kind cm__plan_kind;
extern const struct cm__schema cm__problem_schema;
extern const struct cm__schema cm__goal_schema;
extern const struct cm__schema cm__intervention_schema;
extern const struct cm__schema cm__ref_schema;
extern const struct cm__schema cm__note_schema;
extern const struct cm__lifecycle cm__goal_lifecycle;
extern const struct cm__lifecycle cm__activity_lifecycle;
extern const struct cm__lifecycle cm__achievement_lifecycle;

/* The plan handle behind a public pointer, or NULL if it is not one. */
struct cm__handle *cm__plan_handle(cm_plan *p);
const struct cm__handle *cm__plan_chandle(const cm_plan *p);

/* Locate element `eid` of the plan: CM_OK, or CM_EINVAL (NULL) /
 * CM_ENOTFOUND with a message. */
int cm__plan_elem(struct cm__elem *out, const struct cm__handle *h,
		  const char *eid);
/* The element an cm__elem designates in the handle's current record. */
void *cm__plan_elem_ptr(const struct cm__handle *h, const struct cm__elem *e);

#endif
