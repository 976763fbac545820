/* cdi_apply.c: apply a CDI spec's containerEdits to an OCI runtime config
 * (config.json as runc reads it), checking device nodes on the host. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cdi.h"
#include "fileio.h"
#include "gpu.h"


/* child: OBJ[KEY] as a container of TYPE, made when missing. */
static json_t *child(json_t *obj, const char *key, int array)
{
	json_t *v = json_object_get(obj, key);

	if (v != NULL)
		return (array ? json_is_array(v) : json_is_object(v)) ? v : NULL;
	v = array ? json_array() : json_object();
	if (v == NULL || json_object_set_new(obj, key, v) < 0)
		return NULL;
	return v;
}

/* append_unique: add V (stolen) to A unless an equal value is there. */
static int append_unique(json_t *a, json_t *v)
{
	const json_t *x;
	size_t i;

	if (v == NULL)
		return -ENOMEM;
	json_array_foreach(a, i, x)
		if (json_equal(x, v)) {
			json_decref(v);
			return 0;
		}
	return json_array_append_new(a, v) < 0 ? -ENOMEM : 0;
}

static int apply_env(json_t *config, const json_t *env, struct perr *e)
{
	json_t *process, *list, *x;
	const json_t *v;
	const char *s, *eq;
	size_t i, j;

	if (json_array_size(env) == 0)
		return 0;
	process = child(config, "process", 0);
	list = process != NULL ? child(process, "env", 1) : NULL;
	if (list == NULL)
		return perr(e, -EINVAL, "config.json: process.env is not a list");
	json_array_foreach(env, i, v) {
		s = json_string_value(v);
		eq = strchr(s, '=');
		json_array_foreach(list, j, x) {
			const char *o = json_string_value(x);

			if (o != NULL && strncmp(o, s, (size_t)(eq - s + 1)) == 0)
				break;
		}
		if (j < json_array_size(list)) {
			if (json_array_set_new(list, j, json_string(s)) < 0)
				return -ENOMEM;
		} else if (json_array_append_new(list, json_string(s)) < 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

static int apply_node(json_t *config, const json_t *n, const char *root, struct perr *e)
{
	const char *path = json_string_value(json_object_get(n, "path"));
	const char *host = json_string_value(json_object_get(n, "hostPath"));
	const char *type = json_string_value(json_object_get(n, "type"));
	const char *perm = json_string_value(json_object_get(n, "permissions"));
	const json_t *jmaj = json_object_get(n, "major"), *jmin = json_object_get(n, "minor");
	json_t *linux_, *devices, *res, *rdev, *dev, *x;
	char full[4200], t[2];
	struct stat st;
	unsigned maj, min;
	size_t i;

	if (host == NULL)
		host = path;
	if (gpu_path(full, sizeof(full), root, host) < 0)
		return perr(e, -EINVAL, "%s: path too long", host);
	if (stat(full, &st) < 0)
		return perr(e, -EINVAL, "device %s: %s on this host (was the device removed or the driver unloaded since the spec was written?)",
			    host, strerror(errno));
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return perr(e, -EINVAL, "device %s: not a device node", host);
	maj = major(st.st_rdev);
	min = minor(st.st_rdev);
	t[0] = S_ISCHR(st.st_mode) ? 'c' : 'b';
	t[1] = '\0';
	if ((jmaj != NULL && json_integer_value(jmaj) != maj) ||
	    (jmin != NULL && json_integer_value(jmin) != min) ||
	    (type != NULL && strcmp(type, "u") != 0 && type[0] != t[0]))
		return perr(e, -EINVAL, "device %s: the spec says %s %lld:%lld, the host has %s %u:%u (regenerate the spec)",
			    host, type != NULL ? type : "?", jmaj ? (long long)json_integer_value(jmaj) : -1LL,
			    jmin ? (long long)json_integer_value(jmin) : -1LL, t, maj, min);
	linux_ = child(config, "linux", 0);
	devices = linux_ != NULL ? child(linux_, "devices", 1) : NULL;
	res = linux_ != NULL ? child(linux_, "resources", 0) : NULL;
	rdev = res != NULL ? child(res, "devices", 1) : NULL;
	if (devices == NULL || rdev == NULL)
		return perr(e, -EINVAL, "config.json: linux.devices or linux.resources.devices malformed");
	dev = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "path", path, "type", t,
			"major", (json_int_t)maj, "minor", (json_int_t)min,
			"fileMode", (json_int_t)(json_object_get(n, "fileMode") ?
				json_integer_value(json_object_get(n, "fileMode")) : (st.st_mode & 07777)),
			"uid", (json_int_t)(json_object_get(n, "uid") ?
				json_integer_value(json_object_get(n, "uid")) : 0),
			"gid", (json_int_t)(json_object_get(n, "gid") ?
				json_integer_value(json_object_get(n, "gid")) : 0));
	if (dev == NULL)
		return -ENOMEM;
	/* the same path again replaces the old entry */
	json_array_foreach(devices, i, x)
		if (json_is_string(json_object_get(x, "path")) &&
		    strcmp(json_string_value(json_object_get(x, "path")), path) == 0)
			break;
	if (i < json_array_size(devices)) {
		if (json_array_set_new(devices, i, dev) < 0)
			return -ENOMEM;
	} else if (json_array_append_new(devices, dev) < 0) {
		return -ENOMEM;
	}
	return append_unique(rdev, json_pack("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type", t,
					      "major", (json_int_t)maj, "minor", (json_int_t)min,
					      "access", perm != NULL ? perm : "rwm"));
}

static int apply_mount(json_t *config, const json_t *m, struct perr *e)
{
	const char *dst = json_string_value(json_object_get(m, "containerPath"));
	const char *type = json_string_value(json_object_get(m, "type"));
	const json_t *opts = json_object_get(m, "options");
	json_t *mounts = child(config, "mounts", 1), *nm, *x;
	size_t i;

	if (mounts == NULL)
		return perr(e, -EINVAL, "config.json: mounts is not a list");
	nm = json_pack("{s:s, s:s, s:s, s:o}", "destination", dst, "type", type ? type : "bind",
		       "source", json_string_value(json_object_get(m, "hostPath")),
		       "options", opts != NULL ? json_deep_copy(opts) : json_pack("[s]", "bind"));
	if (nm == NULL)
		return -ENOMEM;
	json_array_foreach(mounts, i, x)
		if (json_is_string(json_object_get(x, "destination")) &&
		    strcmp(json_string_value(json_object_get(x, "destination")), dst) == 0)
			break;
	if (i < json_array_size(mounts))
		return json_array_set_new(mounts, i, nm) < 0 ? -ENOMEM : 0;
	return json_array_append_new(mounts, nm) < 0 ? -ENOMEM : 0;
}

static int apply_hook(json_t *config, const json_t *h, struct perr *e)
{
	json_t *hooks = child(config, "hooks", 0), *list, *nh;

	list = hooks != NULL ? child(hooks, json_string_value(json_object_get(h, "hookName")), 1) : NULL;
	if (list == NULL)
		return perr(e, -EINVAL, "config.json: hooks malformed");
	nh = json_deep_copy(h);
	if (nh == NULL)
		return -ENOMEM;
	json_object_del(nh, "hookName");
	return append_unique(list, nh);
}

static int apply_gids(json_t *config, const json_t *gids, struct perr *e)
{
	json_t *process, *user, *list;
	const json_t *v;
	size_t i;

	if (json_array_size(gids) == 0)
		return 0;
	process = child(config, "process", 0);
	user = process != NULL ? child(process, "user", 0) : NULL;
	list = user != NULL ? child(user, "additionalGids", 1) : NULL;
	if (list == NULL)
		return perr(e, -EINVAL, "config.json: process.user malformed");
	json_array_foreach(gids, i, v)
		if (append_unique(list, json_deep_copy(v)) < 0)
			return -ENOMEM;
	return 0;
}

/* cdi_apply: EDITS (a checked containerEdits object) into CONFIG; device
 * nodes are looked up under ROOT ("" or "/": the real one) and must still
 * be what the spec says.  CONFIG may be partly edited on failure: the
 * caller writes it only on success. */
int cdi_apply(json_t *config, const json_t *edits, const char *root, struct perr *e)
{
	const json_t *v;
	size_t i;
	int rc;

	if (edits == NULL)
		return 0;
	if (!json_is_object(config))
		return perr(e, -EINVAL, "config.json is not an object");
	if ((rc = apply_env(config, json_object_get(edits, "env"), e)) < 0)
		return rc;
	json_array_foreach(json_object_get(edits, "deviceNodes"), i, v)
		if ((rc = apply_node(config, v, root, e)) < 0)
			return rc;
	json_array_foreach(json_object_get(edits, "mounts"), i, v)
		if ((rc = apply_mount(config, v, e)) < 0)
			return rc;
	json_array_foreach(json_object_get(edits, "hooks"), i, v)
		if ((rc = apply_hook(config, v, e)) < 0)
			return rc;
	return apply_gids(config, json_object_get(edits, "additionalGids"), e);
}
