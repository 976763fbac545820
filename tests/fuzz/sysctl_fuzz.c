/* sysctl_fuzz.c: sysctl_parse_line on any bytes; a key it accepts never
 * leaves /proc/sys. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sysctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *key, *value;

	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (sysctl_parse_line(buf, &key, &value) == 1 &&
	    (strstr(key, "..") != NULL || key[0] == '/' || *value == '\0'))
		abort();
	free(buf);
	return 0;
}
