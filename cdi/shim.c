/* shim.c: read BUNDLE/config.json, find the CDI devices it asks for and
 * may ask for (cdi_requests), apply their specs' edits and write
 * config.json back atomically.  On any error config.json is left as it
 * was. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cdi.h"
#include "fileio.h"
#include "shim.h"

static char names[SHIM_REQUESTS_MAX][CDI_NAME_MAX];

/* shim_edit: the devices BUNDLE's config.json asks for, applied to it;
 * on failure E says why and config.json is as it was. */
int shim_edit(struct shim *s, const char *bundle, struct perr *e)
{
	char path[4096], err[CDI_ERR_MAX], dirs[1024];
	struct perr why;
	struct cdi_registry *reg = NULL;
	int spec_done[CDI_SPECS_MAX] = { 0 };
	const json_t *dev;
	json_error_t je;
	json_t *config = NULL;
	struct stat st;
	size_t n, i, k, off = 0;
	char *buf, *text;
	int rc;

	s->applied = 0;
	e->msg[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path))
		return perr(e, -EINVAL, "bundle path too long");
	rc = file_read_alloc(path, SHIM_CONFIG_MAX, &buf, &n);
	if (rc < 0)
		return perr(e, -EINVAL, "%s: %s", path, rc == -EFBIG ? "too long" : strerror(-rc));
	config = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (config == NULL || !json_is_object(config)) {
		rc = perr(e, -EINVAL, "%s: not a JSON object: line %d: %s", path, je.line,
			  config == NULL ? je.text : "");
		goto out;
	}
	rc = cdi_requests(config, s->env_on, names, SHIM_REQUESTS_MAX, &n, err, sizeof(err));
	if (rc == -EPERM) {
		perr(e, rc, "%s: %s", path, err);
		goto out;
	}
	if (rc < 0) {
		rc = perr(e, -EINVAL, "%s: CDI device requests: %s", path,
			  rc == -E2BIG ? "more than 64 devices" : "a name too long");
		goto out;
	}
	if (n == 0)
		goto out;
	reg = malloc(sizeof(*reg));
	if (reg == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rc = cdi_registry_load(reg, s->dirs, s->ndirs, s->warn, s->warn_ctx, e);
	if (rc < 0) {
		free(reg);
		reg = NULL;
		goto out;
	}
	for (i = 0; i < s->ndirs; i++)
		off += (size_t)snprintf(dirs + off, off < sizeof(dirs) ? sizeof(dirs) - off : 0,
					"%s%s", i ? ", " : "", s->dirs[i]);
	for (i = 0; i < n; i++) {
		rc = cdi_registry_find(reg, names[i], &k, &dev);
		if (rc == -EINVAL) {
			rc = perr(e, -EINVAL, "CDI device \"%s\": not a name of the form vendor.com/class=device",
				  names[i]);
			goto out;
		}
		if (rc == -ENOENT) {
			rc = perr(e, -EINVAL, "CDI device %s: no spec of its kind in %s", names[i], dirs);
			goto out;
		}
		if (rc == -ENODEV) {
			rc = perr(e, -EINVAL, "CDI device %s: unknown: no spec in %s defines it", names[i], dirs);
			goto out;
		}
		if (!spec_done[k]) {
			rc = cdi_apply(config, json_object_get(reg->specs[k], "containerEdits"), s->root,
				       &why);
			if (rc < 0) {
				if (rc != -ENOMEM)
					perr(e, rc, "CDI device %s (%s): %s", names[i], reg->files[k], why.msg);
				goto out;
			}
			spec_done[k] = 1;
		}
		rc = cdi_apply(config, json_object_get(dev, "containerEdits"), s->root, &why);
		if (rc < 0) {
			if (rc != -ENOMEM)
				perr(e, rc, "CDI device %s (%s): %s", names[i], reg->files[k], why.msg);
			goto out;
		}
		s->applied++;
	}
	text = json_dumps(config, JSON_INDENT(2));
	if (text == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rc = file_write_atomic(path, text, strlen(text), stat(path, &st) == 0 ? st.st_mode & 0777 : 0644);
	free(text);
	if (rc < 0)
		perr(e, rc, "writing %s: %s", path, strerror(-rc));
out:
	if (rc == -ENOMEM && e->msg[0] == '\0')
		perr(e, rc, "out of memory");
	if (reg != NULL) {
		cdi_registry_free(reg);
		free(reg);
	}
	json_decref(config);
	return rc < 0 ? rc : 0;
}
