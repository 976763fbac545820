/* shim.h: the CDI edits of the devices a bundle asks for, into its config.json. */
#ifndef CAIRN_SHIM_H
#define CAIRN_SHIM_H

#include <stddef.h>

#include "cdi.h"
#include "perr.h"

#define SHIM_REQUESTS_MAX 64
#define SHIM_CONFIG_MAX (16u << 20)

struct shim {
	const char *const *dirs;	/* the CDI spec directories */
	size_t ndirs;
	const char *root;		/* prefix of device nodes checked ("" real) */
	int env_on;			/* CDI_DEVICES asks ([gpu] cdi-devices-env) */
	cdi_warn_fn *warn;
	void *warn_ctx;
	size_t applied;			/* devices applied */
};

int shim_edit(struct shim *s, const char *bundle, struct perr *e);

#endif
