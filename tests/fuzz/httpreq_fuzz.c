/* httpreq_fuzz.c: http_parse on any bytes (the API's clients are not
 * trusted until their request is whole); what it returns holds. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/httpreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_req r;
	const char *why;
	char v[64];
	int n = http_parse((const char *)data, size, &r, &why);

	if (n > 0) {
		if ((size_t)n > size || (size_t)n > HTTP_HEAD_MAX || r.path[0] != '/' ||
		    memcmp(data + n - 4, "\r\n\r\n", 4) != 0 || strlen(r.method) == 0)
			abort();
		http_query(r.query, "service", v, sizeof v);
	} else if (n == -EINVAL && (why == NULL || why[0] == '\0')) {
		abort();
	}
	return 0;
}
