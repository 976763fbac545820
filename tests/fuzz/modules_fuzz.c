/* modules_fuzz.c: modules_list_parse on any bytes; every name it returns
 * is one module name, never an option to modprobe. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *names[16];
	int n, i;

	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	n = modules_list_parse("fuzz", buf, names, 16);
	if (n < 0 || n > 16)
		abort();
	for (i = 0; i < n; i++)
		if (names[i][0] == '\0' || names[i][0] == '-' ||
		    strlen(names[i]) > MODULE_NAME_MAX ||
		    strspn(names[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
		    strlen(names[i]))
			abort();
	free(buf);
	return 0;
}
