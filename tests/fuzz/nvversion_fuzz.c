/* nvversion_fuzz.c: nvversion_parse on any bytes; a version it returns is
 * digits and dots only, short, usable in a file name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char v[GPU_VERSION_MAX];

	if (nvversion_parse((const char *)data, size, v, sizeof(v)) != 0)
		return 0;
	if (v[0] == '\0' || v[0] == '.' || strlen(v) >= GPU_VERSION_MAX ||
	    strspn(v, "0123456789.") != strlen(v) || strchr(v, '.') == NULL)
		abort();
	return 0;
}
