/* ctl_fuzz.c: ctl_parse on any bytes (what arrives on PID 1's control
 * socket); what it accepts is a known verb with a valid name or none. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_req req;
	char err[160];

	if (ctl_parse((const char *)data, size, &req, err, sizeof err) != 0) {
		if (err[0] == '\0' || strlen(err) >= sizeof err)
			abort();
		return 0;
	}
	if ((unsigned)req.verb > CTL_HALT || strcmp(ctl_verb_name(req.verb), "?") == 0)
		abort();
	if (req.name[0] != '\0' && !svc_name_ok(req.name))
		abort();
	if (memchr(req.name, '\0', sizeof req.name) == NULL)
		abort();
	return 0;
}
