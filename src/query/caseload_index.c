/*
 * The clients-by-case-manager index: case manager id ("" for unassigned) ->
 * active clients ordered by next follow-up date (no date last), then id,
 * then the other clients. A manager's worklist of contacts due is then a
 * prefix of one bucket, read from the index entries alone (no record is
 * touched), already in worklist order; a recorded contact moves one entry
 * inside a bucket of ~50.
 */
#include <string.h>

#include "query/query_impl.h"

static const char *cm_key(const struct cm__client *c)
{
	return c->case_manager ? c->case_manager : "";
}

static int64_t due_key(const struct cm__client *c)
{
	int64_t k = c->next_followup == CM_DATE_NONE ? CM__BYCM_NODATE
						     : c->next_followup;
	return c->status == CM_CASE_ACTIVE ? k : k + CM__BYCM_INACTIVE;
}

/* The op's old version if the index entry moves (NULL for a new client);
 * *moves says whether anything changes. */
static const struct cm__client *old_of(const struct cm__op *op, int *moves)
{
	const struct cm__client *c = (const struct cm__client *)op->rec;
	const struct cm__client *old =
		op->slot ? (const struct cm__client *)op->slot->cur : NULL;

	*moves = !old || due_key(old) != due_key(c) ||
		 strcmp(cm_key(old), cm_key(c)) != 0;
	return old;
}

int cm__bycm_prepare(cm_store *s, cm_txn *txn, struct cm__mprep *p)
{
	size_t i;
	int moves;

	for (i = 0; i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		if (op->kind->kind != CM_KIND_CLIENT)
			continue;
		(void)old_of(op, &moves);
		if (moves &&
		    cm__mindex_plan(s, &s->clients_by_cm, p,
				    cm_key((const struct cm__client *)op->rec),
				    NULL))
			return cm__err(s, CM_ENOMEM, "out of memory at commit");
	}
	return CM_OK;
}

void cm__bycm_apply(cm_store *s, cm_txn *txn, struct cm__mprep *p)
{
	size_t i;
	int moves;

	/* Removals first: a bucket never holds more than it has room for. */
	for (i = 0; i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		const struct cm__client *old;
		if (op->kind->kind != CM_KIND_CLIENT)
			continue;
		old = old_of(op, &moves);
		if (moves && old)
			cm__mindex_del(&s->clients_by_cm, cm_key(old),
				       due_key(old), op->slot);
	}
	for (i = 0; i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		const struct cm__client *c = (const struct cm__client *)op->rec;
		if (op->kind->kind != CM_KIND_CLIENT)
			continue;
		(void)old_of(op, &moves);
		if (moves)
			cm__mindex_add(&s->clients_by_cm, p, cm_key(c), due_key(c),
				       op->slot ? op->slot : op->new_slot);
	}
}
