/* nvinfo.c: parse /proc/driver/nvidia/gpus/ADDR/information. */
#include <errno.h>
#include <string.h>

#include "gpu.h"
#include "text.h"

/* value_copy: the value after "Key:", blanks trimmed, into OUT; only
 * printable ASCII is taken (it ends up in JSON and on terminals). */
static int value_copy(const char *v, size_t vlen, char *out, size_t size)
{
	size_t i;

	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t' || v[vlen - 1] == '\r'))
		vlen--;
	if (vlen == 0)
		return -EINVAL;
	if (vlen >= size)
		return -E2BIG;
	for (i = 0; i < vlen; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			return -EINVAL;
	memcpy(out, v, vlen);
	out[vlen] = '\0';
	return 0;
}

static int uuid_valid(const char *u)
{
	size_t n = strlen(u);

	/* GPU-8 4 4 4 12 hex digits, or MIG-...: letters, digits and '-'
	 * only, so it is a valid CDI device name too. */
	if (n < 8 || strncmp(u, "GPU-", 4) != 0)
		return 0;
	return strspn(u, "0123456789abcdefABCDEF-GPU") == n;
}

/* nvinfo_parse: fill G's model, uuid, minor and excluded from the
 * driver's information file.  UUID and minor are required. */
int nvinfo_parse(const char *buf, size_t len, struct gpu *g)
{
	const char *p = buf, *end = buf + len, *nl, *colon;
	char tmp[32];
	unsigned long long minor;
	int have_uuid = 0, have_minor = 0, rc;

	g->model[0] = '\0';
	g->uuid[0] = '\0';
	g->minor = -1;
	g->excluded = 0;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon == NULL) {
			p = nl + 1;
			continue;
		}
#define KEY(k) ((size_t)(colon - p) == sizeof(k) - 1 && memcmp(p, k, sizeof(k) - 1) == 0)
		if (KEY("Model")) {
			rc = value_copy(colon + 1, (size_t)(nl - colon - 1), g->model, sizeof(g->model));
			if (rc < 0)
				return rc;
		} else if (KEY("GPU UUID")) {
			rc = value_copy(colon + 1, (size_t)(nl - colon - 1), g->uuid, sizeof(g->uuid));
			if (rc < 0)
				return rc;
			if (!uuid_valid(g->uuid))
				return -EINVAL;
			have_uuid = 1;
		} else if (KEY("Device Minor") || KEY("Minor Number")) {
			rc = value_copy(colon + 1, (size_t)(nl - colon - 1), tmp, sizeof(tmp));
			if (rc < 0)
				return rc;
			/* 255 is nvidiactl and 254 nvidia-modeset: never a GPU. */
			if (text_uint(tmp, 253, &minor) < 0)
				return -EINVAL;
			g->minor = (int)minor;
			have_minor = 1;
		} else if (KEY("GPU Excluded")) {
			rc = value_copy(colon + 1, (size_t)(nl - colon - 1), tmp, sizeof(tmp));
			if (rc < 0)
				return rc;
			g->excluded = strcmp(tmp, "Yes") == 0;
		}
#undef KEY
		p = nl + 1;
	}
	if (!have_uuid || !have_minor)
		return -ENODATA;
	g->has_info = 1;
	return 0;
}
