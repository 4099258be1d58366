/* Runtime version query. */
#include "casemgr/common.h"

int32_t cm_version(void)
{
	return CASEMGR_VERSION_NUMBER;
}

const char *cm_version_string(void)
{
	return CASEMGR_VERSION_STRING;
}
