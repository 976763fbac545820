/* osboot.h: the OS's root slots as this boot sees them (cairn-agent os,
 * doc/update.md): which one runs and at what version, whether it is on
 * trial, what became of the last update; on a trial boot, the wait for
 * local health that makes the slot the default, or the reboot that tries
 * it again or goes back. */
#ifndef CAIRN_OSBOOT_H
#define CAIRN_OSBOOT_H

#include <stdio.h>

#include "health.h"

struct osboot_opts {
	const char *sys;		/* "/sys" */
	const char *cmdline;		/* "/proc/cmdline" */
	const char *osrel;		/* "/etc/os-release" */
	const char *esp;		/* where the ESP is, or is mounted */
	const char *state;		/* the OS state directory on /var */
	const char *initctl;		/* initctl, to read the services' states and to reboot */
	const char *self;		/* this check's own service, not waited for */
	unsigned timeout;		/* seconds a trial boot has to become healthy */
	struct health_opts health;	/* the node's checks, its config in it */
};

int os_services_ready(const char *status, const char *self, char *why, size_t size);
int os_status(const struct osboot_opts *o, FILE *out);
int os_check(const struct osboot_opts *o, FILE *out);

#endif
