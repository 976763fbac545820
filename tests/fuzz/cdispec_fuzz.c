/* cdispec_fuzz.c: a CDI spec file as the runtime shim reads it: parsed
 * strictly, then every device's and the spec's edits applied to an OCI
 * config (device nodes looked up under a root that does not exist, so they
 * are refused; env, mounts and hooks applied). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cdi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CDI_ERR_MAX], kind[CDI_NAME_MAX], qname[CDI_NAME_MAX * 2];
	struct perr e;
	const json_t *d;
	json_t *spec, *config;
	const char *name;
	size_t i;

	if (cdi_spec_parse((const char *)data, size, &spec, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	config = json_loads("{\"process\":{\"env\":[\"A=1\"]},\"mounts\":[],\"linux\":{}}", 0, NULL);
	if (config == NULL)
		abort();
	cdi_apply(config, json_object_get(spec, "containerEdits"), "/nonexistent-root", &e);
	json_array_foreach(json_object_get(spec, "devices"), i, d) {
		cdi_apply(config, json_object_get(d, "containerEdits"), "/nonexistent-root", &e);
		/* every device's qualified name splits back */
		strcpy(qname, json_string_value(json_object_get(spec, "kind")));
		strcat(qname, "=");
		strcat(qname, json_string_value(json_object_get(d, "name")));
		if (cdi_name_split(qname, kind, sizeof(kind), &name) != 0)
			abort();
	}
	free(json_dumps(config, 0));
	json_decref(config);
	json_decref(spec);
	return 0;
}
