/* cdi.h: Container Device Interface specs: generate (cdi_gen), check
 * (cdi_spec_parse), find devices (cdi_registry), tell which a container
 * may ask for (cdi_requests) and apply their edits to an OCI runtime
 * config (cdi_apply). */
#ifndef CAIRN_CDI_H
#define CAIRN_CDI_H

#include <stddef.h>
#include <jansson.h>

#include "perr.h"

#define CDI_ERR_MAX 512
#define CDI_SPEC_FILE_MAX (4u << 20)
#define CDI_SPECS_MAX 256
#define CDI_NAME_MAX 256
#define CDI_KIND_NVIDIA "nvidia.com/gpu"
#define CDI_KIND_AMD "amd.com/gpu"

typedef void cdi_warn_fn(void *ctx, const char *msg);

struct cdi_gen {
	const char *root;		/* prefix of /proc, /sys, /dev and the search paths */
	const char *kind;		/* CDI_KIND_NVIDIA or CDI_KIND_AMD */
	const char *const *lib_dirs;	/* searched in order, then the ld cache */
	size_t nlib_dirs;
	const char *const *bin_dirs;
	size_t nbin_dirs;
	const char *ldcache;		/* NULL: no cache */
	const char *hook_path;		/* cairn-cdi as the host runs it; NULL: no hook */
	cdi_warn_fn *warn;		/* NULL: warnings dropped */
	void *warn_ctx;
};

int cdi_generate(struct cdi_gen *g, json_t **spec, struct perr *e);
const char *cdi_version(const json_t *spec);
int cdi_write(const char *path, const json_t *spec);
char *cdi_dump(const json_t *spec);

int cdi_spec_parse(const char *buf, size_t len, json_t **spec, char *err, size_t errsz);
int cdi_name_split(const char *qname, char *kind, size_t ksize, const char **name);

struct cdi_registry {
	size_t n;
	json_t *specs[CDI_SPECS_MAX];
	char *files[CDI_SPECS_MAX];
};

int cdi_registry_load(struct cdi_registry *r, const char *const *dirs, size_t ndirs,
		      cdi_warn_fn *warn, void *warn_ctx, struct perr *e);
int cdi_registry_find(const struct cdi_registry *r, const char *qname, size_t *spec,
		      const json_t **device);
void cdi_registry_free(struct cdi_registry *r);

int cdi_apply(json_t *config, const json_t *edits, const char *root, struct perr *e);
/* Who may ask for devices in config.json (cdi_requests.c). */
#define CDI_ENV "CDI_DEVICES"			/* the process variable */
#define CDI_ANNOTATION "cdi.k8s.io/"		/* an annotation key's start */
#define CDI_CRI_MARK "io.kubernetes.cri.container-type"	/* containerd's CRI made it */

int cdi_requests(json_t *config, int env_on, char names[][CDI_NAME_MAX], size_t max, size_t *n,
		 char *err, size_t errsz);

#endif
