/* svcfile_fuzz.c: svc_parse on any bytes; what it accepts is well formed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "svcfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct svc s;
	char err[256];
	int i;

	if (svc_parse(&s, "fuzz", (const char *)data, size, err, sizeof err) != 0)
		return 0;
	if (s.argv[0] == NULL || s.argv[0][0] != '/' || s.pool_used > SVC_POOL ||
	    s.ndepends > SVC_DEPS_MAX || s.nrlimits > SVC_RLIMITS_MAX)
		abort();
	for (i = 0; i < s.ndepends; i++)
		if (!svc_name_ok(s.depends[i]))
			abort();
	return 0;
}
