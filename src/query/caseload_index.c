/*
 * The clients-by-case-manager index: case manager id ("" for unassigned) ->
 * the manager's clients, by id (every entry's key is 0). Caseloads,
 * reassignment, measures and whole worklists read a manager's clients
 * from it; an entry moves only when the client's case manager changes.
 * Contact worklists have their own covering index (contact_index.c).
 */
#include <string.h>

#include "query/query_impl.h"

static const char *cm_key(const struct cm__client *c)
{
	return c->case_manager ? c->case_manager : "";
}

/* The op's old version if the index entry moves (NULL for a new client);
 * *moves says whether anything changes. */
static const struct cm__client *old_of(const struct cm__op *op, int *moves)
{
	const struct cm__client *c = (const struct cm__client *)op->rec;
	const struct cm__client *old =
		cm__op_slot(op) ? (const struct cm__client *)cm__op_slot(op)->cur : NULL;

	*moves = !old || strcmp(cm_key(old), cm_key(c)) != 0;
	return old;
}

int cm__bycm_prepare(cm_store *s, cm_txn *txn, struct cm__mprep *p)
{
	size_t i;
	int moves;

	for (i = 0; i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		if (op->kind != CM_KIND_CLIENT)
			continue;
		(void)old_of(op, &moves);
		if (moves &&
		    cm__mindex_plan(s, &s->clients_by_cm, p,
				    cm_key((const struct cm__client *)op->rec),
				    NULL))
			return cm__err(s, CM_ENOMEM, "out of memory at commit");
	}
	if (cm__mindex_reserve(s, p))
		return cm__err(s, CM_ENOMEM, "out of memory at commit");
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
		if (op->kind != CM_KIND_CLIENT)
			continue;
		old = old_of(op, &moves);
		if (moves && old)
			cm__mindex_del(&s->clients_by_cm, cm_key(old), 0,
				       cm__op_slot(op));
	}
	for (i = 0; i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		const struct cm__client *c = (const struct cm__client *)op->rec;
		if (op->kind != CM_KIND_CLIENT)
			continue;
		(void)old_of(op, &moves);
		if (moves)
			cm__mindex_add(&s->clients_by_cm, p, cm_key(c), 0,
				       op->sl);
	}
	cm__mindex_settle(&s->clients_by_cm, p);
}
