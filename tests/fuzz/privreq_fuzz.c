/* privreq_fuzz.c: priv_check on any bytes as a request (the API's helper
 * is root, and the network side that sends requests is not trusted);
 * what it takes is a request of the set with arguments that hold. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct priv_req r;
	char why[512] = "";
	int rc;

	memset(&r, 0, sizeof r);
	memcpy(&r, data, size < sizeof r ? size : sizeof r);
	rc = priv_check(&r, why, sizeof why);
	if (rc == 0) {
		if (r.op < PRIV_HEALTH || r.op >= PRIV_OP_END || memchr(r.arg, '\0', sizeof r.arg) == NULL ||
		    (r.op == PRIV_LOG && !priv_name_ok(r.arg)) ||
		    (r.op == PRIV_DRAIN && (r.arg[0] == '\0' || strpbrk(r.arg, " /\n%&") != NULL)) ||
		    (r.op == PRIV_OS_UPDATE && (r.tries < 1 || r.tries > 9 || r.reboot > PRIV_UPDATE_STAGE ||
						strpbrk(r.arg, " \n\"`&") != NULL)))
			abort();
	} else if (rc != -EINVAL || why[0] == '\0') {
		abort();
	}
	return 0;
}
