/* cdi_version.c: the lowest cdiVersion whose fields a spec uses, by the
 * rules of the CDI library (tags.cncf.io/container-device-interface,
 * pkg/cdi/version.go): older consumers (containerd 1.7 with CDI 0.8.0)
 * reject versions newer than they know, so never claim more than needed. */
#include <ctype.h>
#include <string.h>

#include "cdi.h"

/* 0.4.0: a mount with a type. 0.5.0: a deviceNode with a hostPath. */
static int edits_level(const json_t *e)
{
	const json_t *v;
	size_t i;
	int level = 3;

	json_array_foreach(json_object_get(e, "mounts"), i, v)
		if (json_object_get(v, "type") != NULL && level < 4)
			level = 4;
	json_array_foreach(json_object_get(e, "deviceNodes"), i, v)
		if (json_string_length(json_object_get(v, "hostPath")) > 0)
			level = 5;
	/* 0.7.0: intelRdt or additionalGids */
	if (json_object_get(e, "intelRdt") != NULL ||
	    json_array_size(json_object_get(e, "additionalGids")) > 0)
		level = 7;
	return level;
}

const char *cdi_version(const json_t *spec)
{
	static const char *const names[] = { "0.3.0", "0.3.0", "0.3.0", "0.3.0",
		"0.4.0", "0.5.0", "0.6.0", "0.7.0" };
	const json_t *d, *e = json_object_get(spec, "containerEdits");
	const char *kind = json_string_value(json_object_get(spec, "kind")), *name, *slash;
	size_t i;
	int level = 3, l;

	if (e != NULL)
		level = edits_level(e);
	json_array_foreach(json_object_get(spec, "devices"), i, d) {
		name = json_string_value(json_object_get(d, "name"));
		/* 0.5.0: a name that starts with a digit ("0") */
		if (name != NULL && !isalpha((unsigned char)name[0]) && level < 5)
			level = 5;
		l = edits_level(json_object_get(d, "containerEdits"));
		if (l > level)
			level = l;
		if (json_object_size(json_object_get(d, "annotations")) > 0 && level < 6)
			level = 6;
	}
	/* 0.6.0: annotations, or a dot in the class (vendor.com/a.b) */
	if (json_object_size(json_object_get(spec, "annotations")) > 0 && level < 6)
		level = 6;
	if (kind != NULL && (slash = strchr(kind, '/')) != NULL && strchr(slash, '.') != NULL &&
	    level < 6)
		level = 6;
	return names[level];
}
