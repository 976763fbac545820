/*
 * osreboot.c: cairn-agent os reboot (doc/update.md, Staged updates): the
 * reboot that starts a staged OS.  `pkg os-update --stage` left the other
 * slot written and read back, its UKI under a name no boot loads; this
 * arms it (the name systemd-boot tries first, with its tries) and
 * reboots, so whoever chose the moment (Slurm's RebootProgram once the
 * node's jobs are done, an operator through the API) starts the new OS,
 * and any other reboot keeps the running one.  Nothing staged: a plain
 * reboot.  A staged update that cannot be armed is said and nothing is
 * rebooted: the node stays as it is rather than come back on the old OS
 * as if it had been updated.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "bootent.h"
#include "os/osboot.h"
#include "osstate.h"
#include "runcap.h"

#define REBOOT_SECONDS 30

/* The staged update armed: its entry renamed, `staged` become `pending`. */
static int arm(const struct osboot_opts *o, int statefd, const struct os_pending *p, FILE *out)
{
	char slot;
	int dirfd, rc;

	if (os_slot_running(o->cmdline, &slot) < 0 || slot == p->slot) {
		fprintf(out, "os: %s is staged for slot %c, and this boot %s: refused\n", p->version, p->slot,
			slot == p->slot ? "runs from that slot" : "is not from a root slot");
		return -1;
	}
	dirfd = os_esp_open(o, out);
	if (dirfd < 0)
		return -1;
	rc = bootent_arm(dirfd, p->slot);
	close(dirfd);
	if (rc < 0) {
		fprintf(out, "os: %s staged in slot %c: arming it: %s: refused (pkg os-update --stage again)\n",
			p->version, p->slot, rc == -ENOENT ? "its kernel image is not on the ESP" :
			rc == -EEXIST ? "the slot has an entry already" : strerror(-rc));
		return -1;
	}
	rc = osstate_put(statefd, "pending", p);
	if (rc == 0 && unlinkat(statefd, "staged", 0) < 0)
		rc = -errno;
	if (rc < 0) {
		/* Armed all the same: the boot loader tries it and os check
		 * judges it; only the rollback's record would lack a name. */
		fprintf(out, "os: %s/pending: %s\n", o->state, strerror(-rc));
	}
	osstate_log(statefd, "update %s in slot %c: armed (%d tries); rebooting into it", p->version, p->slot,
		    p->tries);
	fprintf(out, "os: %s in slot %c armed (%d tries): rebooting into it\n", p->version, p->slot, p->tries);
	return 0;
}

/* os_reboot: arm what is staged and reboot; -1 (said on OUT) when refused or the reboot failed. */
int os_reboot(const struct osboot_opts *o, FILE *out)
{
	char prog[256], *reboot[] = { prog, (char *)"reboot", NULL };
	struct os_pending p;
	int statefd, rc = -ENOENT;

	snprintf(prog, sizeof prog, "%s", o->initctl);
	statefd = open(o->state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (statefd >= 0)
		rc = osstate_get(statefd, "staged", &p);
	if (rc == 0) {
		rc = arm(o, statefd, &p, out);
	} else if (rc == -ENOENT) {
		fprintf(out, "os: nothing staged: rebooting\n");
		rc = 0;
	} else {
		fprintf(out, "os: %s/staged: %s: refused\n", o->state, strerror(-rc));
	}
	if (statefd >= 0)
		close(statefd);
	if (rc < 0)
		return -1;
	fflush(out);
	if (run_tool(reboot, NULL, REBOOT_SECONDS) < 0) {
		fprintf(out, "os: %s reboot failed\n", o->initctl);
		return -1;
	}
	return 0;
}
