/* cdi_registry.c: the spec files of the CDI directories, and the device a
 * qualified name (nvidia.com/gpu=0) refers to. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdi.h"
#include "fileio.h"

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* load_dir: DIR's *.json specs in name order.  A missing directory is no
 * error; a YAML spec is skipped with a warning. */
static int load_dir(struct cdi_registry *r, const char *dir, cdi_warn_fn *warn, void *warn_ctx,
		    struct perr *e)
{
	char *names[CDI_SPECS_MAX], path[4096], msg[CDI_ERR_MAX + 4200], why[CDI_ERR_MAX];
	struct dirent *de;
	size_t n = 0, i, len;
	char *buf;
	json_t *spec;
	DIR *d;
	int rc = 0;

	d = opendir(dir);
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		return perr(e, -errno, "%s: %s", dir, strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (ends_with(de->d_name, ".yaml") || ends_with(de->d_name, ".yml")) {
			if (warn != NULL) {
				snprintf(msg, sizeof(msg), "%s/%s: skipped: YAML specs are not read (write the spec as JSON)",
					 dir, de->d_name);
				warn(warn_ctx, msg);
			}
			continue;
		}
		if (!ends_with(de->d_name, ".json"))
			continue;
		if (n == CDI_SPECS_MAX || (names[n] = strdup(de->d_name)) == NULL) {
			rc = perr(e, -E2BIG, "%s: more than %d spec files", dir, CDI_SPECS_MAX);
			goto out;
		}
		n++;
	}
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (i = 0; i < n; i++) {
		if (r->n == CDI_SPECS_MAX) {
			rc = perr(e, -E2BIG, "more than %d spec files", CDI_SPECS_MAX);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		rc = file_read_alloc(path, CDI_SPEC_FILE_MAX, &buf, &len);
		if (rc < 0) {
			perr(e, rc, "CDI spec %s: %s", path, rc == -EFBIG ? "too long" : strerror(-rc));
			goto out;
		}
		rc = cdi_spec_parse(buf, len, &spec, why, sizeof(why));
		free(buf);
		if (rc < 0) {
			perr(e, rc, "CDI spec %s: %s", path, why);
			goto out;
		}
		r->specs[r->n] = spec;
		r->files[r->n] = strdup(path);
		if (r->files[r->n] == NULL) {
			json_decref(spec);
			rc = -ENOMEM;
			goto out;
		}
		r->n++;
	}
out:
	closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	return rc;
}

/* cdi_registry_load: every spec of DIRS, in order; the first to define a
 * device wins.  A malformed spec is an error naming its file. */
int cdi_registry_load(struct cdi_registry *r, const char *const *dirs, size_t ndirs,
		      cdi_warn_fn *warn, void *warn_ctx, struct perr *e)
{
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < ndirs; i++) {
		rc = load_dir(r, dirs[i], warn, warn_ctx, e);
		if (rc < 0) {
			cdi_registry_free(r);
			return rc;
		}
	}
	return 0;
}

/* cdi_registry_find: the spec index and device QNAME names; -EINVAL: not
 * a qualified name; -ENOENT: no spec of its kind; -ENODEV: no such device. */
int cdi_registry_find(const struct cdi_registry *r, const char *qname, size_t *spec,
		      const json_t **device)
{
	char kind[CDI_NAME_MAX];
	const char *name;
	const json_t *d;
	size_t i, j;
	int kind_seen = 0;

	if (cdi_name_split(qname, kind, sizeof(kind), &name) < 0)
		return -EINVAL;
	for (i = 0; i < r->n; i++) {
		if (strcmp(json_string_value(json_object_get(r->specs[i], "kind")), kind) != 0)
			continue;
		kind_seen = 1;
		json_array_foreach(json_object_get(r->specs[i], "devices"), j, d) {
			if (strcmp(json_string_value(json_object_get(d, "name")), name) == 0) {
				*spec = i;
				*device = d;
				return 0;
			}
		}
	}
	return kind_seen ? -ENODEV : -ENOENT;
}

void cdi_registry_free(struct cdi_registry *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		json_decref(r->specs[i]);
		free(r->files[i]);
	}
	r->n = 0;
}
