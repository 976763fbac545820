/* setup.h: `cairn-agent setup`: the clock, the node config, its secrets. */
#ifndef CAIRN_SETUP_H
#define CAIRN_SETUP_H

#include <stdio.h>

#include "perr.h"
#include "runpaths.h"

#define SETUP_OUT CAIRN_RUN
#define SETUP_CONFIG SETUP_OUT "/node.conf"
#define SETUP_CLOCK_MARK "clock-unsure"	/* in out/: the clock was behind the build */
#define SETUP_CDI_ENV_MARK CAIRN_RUN_CDI_ENV_MARK	/* in out/ */

struct setup_opts {
	const char *cmdline;		/* /proc/cmdline */
	const char *root;		/* "" on a node */
	const char *out;		/* SETUP_OUT */
	const char *medium_dir;		/* a config medium already mounted, or NULL */
	int find_medium;		/* look for LABEL=CAIRNCFG and mount it */
	int set_clock;
	int set_hostname;
	int wait_s;			/* how long an https:// config is tried */
};

int setup_run(const struct setup_opts *o, FILE *out, struct perr *e);

#endif
