/* cmdline_fuzz.c: cmdline_get on any bytes: the first line is the key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *nl, value[64];

	if (size > CMDLINE_MAX)
		return 0;
	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	nl = strchr(buf, '\n');
	if (nl != NULL) {
		*nl = '\0';
		if (cmdline_get(nl + 1, buf, value, sizeof value) == 0 && strlen(value) >= sizeof value)
			abort();
		cmdline_has(nl + 1, buf);
	}
	free(buf);
	return 0;
}
