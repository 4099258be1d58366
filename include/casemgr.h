/*
 * casemgr.h - umbrella header: include this one to get the whole API.
 *
 * casemgr is an embeddable library for case management in health and social
 * care. Start with casemgr/store.h, then casemgr/client.h,
 * casemgr/assessment.h and casemgr/plan.h.
 */
#ifndef CASEMGR_H
#define CASEMGR_H

#include "casemgr/common.h"
#include "casemgr/store.h"
#include "casemgr/client.h"
#include "casemgr/storage.h"
#include "casemgr/assessment.h"
#include "casemgr/plan.h"
#include "casemgr/service.h"
#include "casemgr/event.h"
#include "casemgr/query.h"

#endif /* CASEMGR_H */
