/* osboot.h: the OS's root slots as this boot sees them (cairn-agent os,
 * doc/update.md): which one runs and at what version, whether it is on
 * trial, what became of the last update; on a trial boot, the wait for
 * local health that makes the slot the default, or the reboot that tries
 * it again or goes back. */
#ifndef CAIRN_OSBOOT_H
#define CAIRN_OSBOOT_H

#include <stdio.h>

#include "health/health.h"

struct osboot_opts {
	const char *sys;		/* "/sys" */
	const char *cmdline;		/* "/proc/cmdline" */
	const char *osrel;		/* "/etc/os-release" */
	const char *esp;		/* where the ESP is, or is mounted */
	const char *state;		/* the OS state directory on /var */
	const char *initctl;		/* initctl, to read the services' states and to reboot */
	const char *self;		/* this check's own service, not waited for */
	const char *migrate;		/* the migrations this OS carries */
	unsigned timeout;		/* seconds a trial boot has to become healthy */
	struct health_opts health;	/* the node's checks, its config in it */
};

int os_services_ready(const char *status, const char *self, char *why, size_t size);
int os_esp_open(const struct osboot_opts *o, FILE *out);
int os_state_open(const struct osboot_opts *o, FILE *out);
int os_status(const struct osboot_opts *o, FILE *out);
int os_check(const struct osboot_opts *o, FILE *out);
int os_migrate_boot(const struct osboot_opts *o, FILE *out);

/* osmigrate.c */
#define OS_MIGRATE_DIR "/usr/lib/cairn/migrate.d"
#define OS_MIGRATE_TIMEOUT_S 3600
int os_migrate(const char *dir, int statefd, const char *version, int timeout_s, FILE *out);
int os_migrations_forget(int statefd, const char *version);

/* osreboot.c */
int os_reboot(const struct osboot_opts *o, FILE *out);

/* osauto.c */
long window_wait(long long t, int start, int end);
long window_left(long long t, int end);
int os_auto(const struct osboot_opts *o, const char *repo, int start, int end, unsigned spread, FILE *out);

#endif
