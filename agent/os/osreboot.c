/*
 * osreboot.c: cairn-agent os reboot (doc/update.md, Staged updates): the
 * reboot that starts a staged OS.  `pkg os-update --stage` left the other
 * slot written and read back, its UKI under a name no boot loads; this
 * arms it (the name systemd-boot tries first, with its tries) and
 * reboots, so whoever chose the moment (Slurm's RebootProgram once the
 * node's jobs are done, an operator through the API) starts the new OS,
 * and any other reboot keeps the running one.  Nothing staged: a plain
 * reboot.  A staged update that can no longer be armed (its image gone,
 * the slot holding an entry, a record that does not parse or names the
 * running slot) is dropped, said and logged, and the reboot is a plain
 * one: the node comes back on the OS it runs, which whoever watches
 * (cairnctl update) sees and reports.  The OS lock is held throughout:
 * a reboot asked for while an update is written waits for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "bootent.h"
#include "os/osboot.h"
#include "osstate.h"
#include "runcap.h"

#define REBOOT_SECONDS 30

/* The staged record (of VERSION, when it says) dropped: the reason said and logged. */
static void drop(int statefd, const char *version, const char *why, FILE *out)
{
	fprintf(out, "os: the update staged%s%s%s: %s: dropped, a plain reboot\n", version ? " (" : "",
		version ? version : "", version ? ")" : "", why);
	osstate_log(statefd, "the update staged%s%s%s dropped: %s", version ? " (" : "", version ? version : "",
		    version ? ")" : "", why);
	unlinkat(statefd, "staged", 0);
}

/*
 * The staged update armed: `pending` first (a rollback of what boots
 * next is recorded by its name), then the entry renamed, then `staged`
 * gone.  Cut off after the rename, the next os reboot finds `staged`
 * naming the slot that runs, and drops it.
 */
static void arm(const struct osboot_opts *o, int statefd, const struct os_pending *p, FILE *out)
{
	char slot = 0, why[128];
	int dirfd, rc;

	if (os_slot_running(o->cmdline, &slot) < 0) {
		drop(statefd, p->version, "this boot is not from a root slot", out);
		return;
	}
	if (slot == p->slot) {
		snprintf(why, sizeof why, "it is for slot %c, which runs (armed before)", p->slot);
		drop(statefd, p->version, why, out);
		return;
	}
	dirfd = os_esp_open(o, out);
	if (dirfd < 0) {
		drop(statefd, p->version, "the ESP cannot be opened", out);
		return;
	}
	rc = osstate_put(statefd, "pending", p);
	if (rc < 0) {
		fprintf(out, "os: %s/pending: %s\n", o->state, strerror(-rc));
		close(dirfd);
		drop(statefd, p->version, "pending cannot be written", out);
		return;
	}
	rc = bootent_arm(dirfd, p->slot);
	close(dirfd);
	if (rc < 0) {
		unlinkat(statefd, "pending", 0);
		snprintf(why, sizeof why, "%s", rc == -ENOENT ? "its kernel image is not on the ESP" :
			 rc == -EEXIST ? "the slot has an entry already" : strerror(-rc));
		drop(statefd, p->version, why, out);
		return;
	}
	unlinkat(statefd, "staged", 0);
	osstate_log(statefd, "update %s in slot %c: armed (%d tries); rebooting into it", p->version, p->slot,
		    p->tries);
	fprintf(out, "os: %s in slot %c armed (%d tries): rebooting into it\n", p->version, p->slot, p->tries);
}

/* os_reboot: arm what is staged, if it can be, and reboot; -1 (said on OUT) when the reboot failed. */
int os_reboot(const struct osboot_opts *o, FILE *out)
{
	char prog[256], *reboot[] = { prog, (char *)"reboot", NULL };
	struct os_pending p;
	int statefd, lockfd = -1, rc = -ENOENT;

	snprintf(prog, sizeof prog, "%s", o->initctl);
	statefd = open(o->state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (statefd >= 0) {
		lockfd = openat(statefd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (lockfd >= 0 && flock(lockfd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
			fprintf(out, "os: an update is being written: waiting for it\n");
			fflush(out);
			flock(lockfd, LOCK_EX);
		}
		rc = osstate_get(statefd, "staged", &p);
	}
	if (rc == 0)
		arm(o, statefd, &p, out);
	else if (rc == -ENOENT)
		fprintf(out, "os: nothing staged: rebooting\n");
	else
		drop(statefd, NULL, "its record does not parse", out);
	if (statefd >= 0)
		close(statefd);
	fflush(out);
	/* The lock stays held (lockfd open) until the reboot. */
	rc = run_tool(reboot, NULL, REBOOT_SECONDS);
	if (lockfd >= 0)
		close(lockfd);
	if (rc < 0) {
		fprintf(out, "os: %s reboot failed\n", o->initctl);
		return -1;
	}
	return 0;
}
