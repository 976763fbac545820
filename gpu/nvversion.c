/* nvversion.c: the driver version from /proc/driver/nvidia/version. */
#include <errno.h>
#include <string.h>

#include "gpu.h"

/* is_version: N.N or N.N.N (digits only between the dots), as the
 * driver's library file names carry it (libcuda.so.550.127.05). */
static int is_version(const char *t, size_t n)
{
	size_t i, digits = 0, dots = 0;

	for (i = 0; i < n; i++) {
		if (t[i] >= '0' && t[i] <= '9') {
			digits++;
		} else if (t[i] == '.' && digits > 0) {
			dots++;
			digits = 0;
		} else {
			return 0;
		}
	}
	return digits > 0 && dots >= 1 && dots <= 3;
}

/* nvversion_parse: from the line "NVRM version: NVIDIA UNIX ... Kernel
 * Module [for ARCH]  550.127.05  ...", the first word that is a version.
 * -ENODATA: no NVRM line; -EINVAL: no version on it. */
int nvversion_parse(const char *buf, size_t len, char *version, size_t size)
{
	static const char key[] = "NVRM version:";
	const char *p = buf, *end = buf + len, *nl = end, *w;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - p) >= sizeof(key) - 1 && memcmp(p, key, sizeof(key) - 1) == 0)
			break;
		p = nl + 1;
	}
	if (p >= end)
		return -ENODATA;
	p += sizeof(key) - 1;
	while (p < nl) {
		while (p < nl && (*p == ' ' || *p == '\t'))
			p++;
		w = p;
		while (p < nl && *p != ' ' && *p != '\t')
			p++;
		if (p > w && is_version(w, (size_t)(p - w))) {
			if ((size_t)(p - w) >= size || (size_t)(p - w) >= GPU_VERSION_MAX)
				return -E2BIG;
			memcpy(version, w, (size_t)(p - w));
			version[p - w] = '\0';
			return 0;
		}
	}
	return -EINVAL;
}
