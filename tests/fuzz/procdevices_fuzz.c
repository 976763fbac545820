/* procdevices_fuzz.c: procdevices_major and nvcap_parse on any bytes; a
 * major found is in range and its name is really on a character-device
 * line; a capability's mode has no bits beyond 0777. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nvnodes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	unsigned minor, mode;
	int maj;

	maj = procdevices_major(buf, size, "nvidia-uvm");
	if (maj > 4095)
		abort();
	if (maj >= 0 && memmem(buf, size, " nvidia-uvm", 11) == NULL)
		abort();
	if (nvcap_parse(buf, size, &minor, &mode) == 0 && (mode & ~0777u) != 0)
		abort();
	return 0;
}
