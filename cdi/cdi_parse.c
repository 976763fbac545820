/* cdi_parse.c: read one CDI spec strictly: JSON (no duplicate keys), the
 * fields the shim applies all of the right type, bounded counts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cdi.h"
#include "perr.h"

#define EDITS_MAX 4096

/* name_valid: a CDI device name: letters, digits, '_', '-', '.', ':',
 * starting and ending with a letter or digit. */
static int name_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= CDI_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && ((i == 0 || i == n - 1) || strchr("_-.:", c) == NULL))
			return 0;
	}
	return 1;
}

/* kind_valid: vendor.com/class: vendor letters, digits, '.', '-', '_';
 * class letters, digits, '-', '_', '.'. */
static int kind_valid(const char *s)
{
	const char *slash = strchr(s, '/');
	size_t i;

	if (slash == NULL || slash == s || slash[1] == '\0' || strlen(s) >= CDI_NAME_MAX)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];

		if (&s[i] == slash)
			continue;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return strchr(slash + 1, '/') == NULL;
}

static int strings_valid(const json_t *a)
{
	const json_t *v;
	size_t i;

	if (a == NULL)
		return 1;
	if (!json_is_array(a) || json_array_size(a) > EDITS_MAX)
		return 0;
	json_array_foreach(a, i, v)
		if (!json_is_string(v))
			return 0;
	return 1;
}

static int abs_path(const json_t *v)
{
	const char *s = json_string_value(v);

	return s != NULL && s[0] == '/' && json_string_length(v) < 4096 &&
	       strlen(s) == json_string_length(v);
}

static int in_range(const json_t *v, json_int_t lo, json_int_t hi)
{
	return v == NULL || (json_is_integer(v) && json_integer_value(v) >= lo &&
			     json_integer_value(v) <= hi);
}

static int edits_valid(const json_t *e, const char *where, char *err, size_t errsz)
{
	static const char *const hooks[] = { "prestart", "createRuntime", "createContainer",
					     "startContainer", "poststart", "poststop" };
	const json_t *v, *x;
	const char *s;
	size_t i, k;

	if (e == NULL)
		return 0;
	if (!json_is_object(e))
		return err_fail(err, errsz, "%s: containerEdits is not an object", where);
	if (!strings_valid(json_object_get(e, "env")))
		return err_fail(err, errsz, "%s: env is not a list of strings", where);
	json_array_foreach(json_object_get(e, "env"), i, v) {
		s = json_string_value(v);
		if (strchr(s, '=') == NULL || s[0] == '=' || strlen(s) != json_string_length(v))
			return err_fail(err, errsz, "%s: env entry \"%.64s\" is not NAME=VALUE", where, s);
	}
	v = json_object_get(e, "deviceNodes");
	if (v != NULL && (!json_is_array(v) || json_array_size(v) > EDITS_MAX))
		return err_fail(err, errsz, "%s: deviceNodes is not a list", where);
	json_array_foreach(v, i, x) {
		const char *type = json_string_value(json_object_get(x, "type"));
		const char *perm = json_string_value(json_object_get(x, "permissions"));

		if (!json_is_object(x) || !abs_path(json_object_get(x, "path")))
			return err_fail(err, errsz, "%s: deviceNodes[%zu] has no absolute path", where, i);
		if (json_object_get(x, "hostPath") != NULL && !abs_path(json_object_get(x, "hostPath")))
			return err_fail(err, errsz, "%s: deviceNodes[%zu].hostPath is not an absolute path", where, i);
		if ((json_object_get(x, "type") != NULL && (type == NULL ||
		     (strcmp(type, "c") != 0 && strcmp(type, "b") != 0 && strcmp(type, "u") != 0))))
			return err_fail(err, errsz, "%s: deviceNodes[%zu].type is not c, b or u", where, i);
		if (json_object_get(x, "permissions") != NULL &&
		    (perm == NULL || perm[0] == '\0' || strspn(perm, "rwm") != strlen(perm)))
			return err_fail(err, errsz, "%s: deviceNodes[%zu].permissions is not of r, w, m", where, i);
		if (!in_range(json_object_get(x, "major"), 0, 0xfff) ||
		    !in_range(json_object_get(x, "minor"), 0, 0xfffff) ||
		    !in_range(json_object_get(x, "uid"), 0, 0xffffffffLL) ||
		    !in_range(json_object_get(x, "gid"), 0, 0xffffffffLL) ||
		    !in_range(json_object_get(x, "fileMode"), 0, 07777))
			return err_fail(err, errsz, "%s: deviceNodes[%zu]: a number out of range", where, i);
	}
	v = json_object_get(e, "mounts");
	if (v != NULL && (!json_is_array(v) || json_array_size(v) > EDITS_MAX))
		return err_fail(err, errsz, "%s: mounts is not a list", where);
	json_array_foreach(v, i, x) {
		if (!json_is_object(x) || !abs_path(json_object_get(x, "hostPath")) ||
		    !abs_path(json_object_get(x, "containerPath")))
			return err_fail(err, errsz, "%s: mounts[%zu] needs absolute hostPath and containerPath", where, i);
		if (!strings_valid(json_object_get(x, "options")) ||
		    (json_object_get(x, "type") != NULL && !json_is_string(json_object_get(x, "type"))))
			return err_fail(err, errsz, "%s: mounts[%zu]: options or type malformed", where, i);
	}
	v = json_object_get(e, "hooks");
	if (v != NULL && (!json_is_array(v) || json_array_size(v) > EDITS_MAX))
		return err_fail(err, errsz, "%s: hooks is not a list", where);
	json_array_foreach(v, i, x) {
		s = json_string_value(json_object_get(x, "hookName"));
		for (k = 0; s != NULL && k < sizeof(hooks) / sizeof(hooks[0]); k++)
			if (strcmp(s, hooks[k]) == 0)
				break;
		if (s == NULL || k == sizeof(hooks) / sizeof(hooks[0]))
			return err_fail(err, errsz, "%s: hooks[%zu].hookName is not an OCI hook name", where, i);
		if (!abs_path(json_object_get(x, "path")) || !strings_valid(json_object_get(x, "args")) ||
		    !strings_valid(json_object_get(x, "env")) ||
		    !in_range(json_object_get(x, "timeout"), 0, 0xffffffffLL))
			return err_fail(err, errsz, "%s: hooks[%zu]: path, args, env or timeout malformed", where, i);
	}
	v = json_object_get(e, "additionalGids");
	if (v != NULL && (!json_is_array(v) || json_array_size(v) > EDITS_MAX))
		return err_fail(err, errsz, "%s: additionalGids is not a list", where);
	json_array_foreach(v, i, x)
		if (!in_range(x, 0, 0xffffffffLL) || x == NULL)
			return err_fail(err, errsz, "%s: additionalGids[%zu] is not a uint32", where, i);
	if (json_object_get(e, "intelRdt") != NULL)
		return err_fail(err, errsz, "%s: intelRdt edits are not supported", where);
	return 0;
}

/* cdi_spec_parse: BUF as a CDI spec, checked; ERR says what is wrong. */
int cdi_spec_parse(const char *buf, size_t len, json_t **out, char *err, size_t errsz)
{
	json_error_t je;
	json_t *spec, *devices, *d;
	const char *kind, *name;
	char where[CDI_NAME_MAX + 32];
	size_t i, j;
	int rc;

	if (len > CDI_SPEC_FILE_MAX)
		return err_fail(err, errsz, "longer than %u bytes", CDI_SPEC_FILE_MAX);
	spec = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (spec == NULL)
		return err_fail(err, errsz, "not JSON: line %d column %d: %s", je.line, je.column, je.text);
	rc = -EINVAL;
	if (!json_is_object(spec) || !json_is_string(json_object_get(spec, "cdiVersion"))) {
		err_fail(err, errsz, "no cdiVersion");
		goto err;
	}
	kind = json_string_value(json_object_get(spec, "kind"));
	if (kind == NULL || !kind_valid(kind)) {
		err_fail(err, errsz, "kind is not vendor/class");
		goto err;
	}
	devices = json_object_get(spec, "devices");
	if (!json_is_array(devices) || json_array_size(devices) == 0 ||
	    json_array_size(devices) > EDITS_MAX) {
		err_fail(err, errsz, "no devices");
		goto err;
	}
	json_array_foreach(devices, i, d) {
		name = json_string_value(json_object_get(d, "name"));
		if (!json_is_object(d) || name == NULL || !name_valid(name)) {
			err_fail(err, errsz, "devices[%zu]: no valid name", i);
			goto err;
		}
		for (j = 0; j < i; j++)
			if (strcmp(name, json_string_value(json_object_get(json_array_get(devices, j), "name"))) == 0) {
				err_fail(err, errsz, "device %s defined twice", name);
				goto err;
			}
		if (!json_is_object(json_object_get(d, "containerEdits"))) {
			err_fail(err, errsz, "device %s: no containerEdits", name);
			goto err;
		}
		snprintf(where, sizeof(where), "device %s", name);
		if (edits_valid(json_object_get(d, "containerEdits"), where, err, errsz) < 0)
			goto err;
	}
	if (edits_valid(json_object_get(spec, "containerEdits"), "containerEdits", err, errsz) < 0)
		goto err;
	*out = spec;
	return 0;
err:
	json_decref(spec);
	return rc;
}

/* cdi_name_split: "vendor.com/class=name" into its kind and name. */
int cdi_name_split(const char *qname, char *kind, size_t ksize, const char **name)
{
	const char *eq = strchr(qname, '=');

	if (eq == NULL || (size_t)(eq - qname) >= ksize)
		return -EINVAL;
	memcpy(kind, qname, (size_t)(eq - qname));
	kind[eq - qname] = '\0';
	if (!kind_valid(kind) || !name_valid(eq + 1))
		return -EINVAL;
	*name = eq + 1;
	return 0;
}
