/*
 * osboot.c: cairn-agent os status and os check (doc/update.md).
 *
 * systemd-boot does the counting: it renames a slot's entry on the ESP
 * one try down before it boots it, and once no try is left it boots the
 * other slot.  What it cannot tell is whether a boot was good.  That is
 * this check's: on a trial boot it waits for local health (every service
 * of initd up or done, and the node's health checks passing, containerd
 * answering among them) and then takes the counter off the entry's name,
 * which makes the slot the default.  Local only: neither the time servers
 * nor a cluster controller being reachable is asked for, or an outage of
 * theirs would send every updated node back.  Not healthy in time: what
 * was wrong is noted on /var and the node reboots, into the next try or
 * the old slot.  The old slot's check then finds the other slot tried out
 * and records the rollback, with the last reason the tries noted, or,
 * with none, that the new OS never came as far as this check.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bootent.h"
#include "fileio.h"
#include "os/osboot.h"
#include "osstate.h"
#include "runcap.h"

#define POLL_S 2

static long long now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec;
}

/*
 * Services whose readiness is the cluster's answer (slurmd: the controller
 * has the node; kubelet: the API server gave it credentials): running is
 * enough, or a controller outage would send every updated node back.
 */
static int cluster_service(const char *name)
{
	return strcmp(name, "slurmd") == 0 || strcmp(name, "kubelet") == 0;
}

/*
 * os_services_ready: initctl status's lines, after its header ("NAME
 * STATE PID UPTIME RESTARTS LAST"): 1 when every service but SELF is up, done, skipped, or down
 * after a clean exit (a run-once service); else 0 and the first that is
 * not in WHY.
 */
int os_services_ready(const char *status, const char *self, char *why, size_t size)
{
	const char *line = status;

	while (line != NULL && *line != '\0') {
		char name[64], state[16], last[24];
		const char *nl = strchr(line, '\n');

		/* Its first line is a header: SERVICE STATE PID UPTIME RESTARTS LAST. */
		if (sscanf(line, "%63s %15s %*s %*s %*s %23s", name, state, last) == 3 && strcmp(name, self) != 0 &&
		    !(line == status && strcmp(name, "SERVICE") == 0)) {
			int ok = strcmp(state, "up") == 0 || strcmp(state, "done") == 0 ||
				 strcmp(state, "skipped") == 0 ||
				 (strcmp(state, "down") == 0 && (strcmp(last, "exit:0") == 0 || strcmp(last, "-") == 0)) ||
				 (strcmp(state, "starting") == 0 && cluster_service(name));

			if (!ok) {
				snprintf(why, size, "service %s is %s (last exit %s)", name, state, last);
				return 0;
			}
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	return 1;
}

/* 1 healthy, 0 not (WHY says what first), as the check sees it. */
static int healthy(const struct osboot_opts *o, char *why, size_t size)
{
	static struct health h;
	char prog[256], *argv[] = { prog, (char *)"status", NULL }, *out = NULL;
	size_t len;
	int rc, i;

	snprintf(prog, sizeof prog, "%s", o->initctl);
	rc = run_capture(argv, 1 << 16, 10, &out, &len);
	if (rc < 0) {
		snprintf(why, size, "initctl status: %s", strerror(-rc));
		return 0;
	}
	rc = os_services_ready(out, o->self, why, size);
	free(out);
	if (!rc)
		return 0;
	health_run(&o->health, &h);
	for (i = 0; i < h.n; i++) {
		/* The clock's servers, an operator's drain and an earlier
		 * rollback held are not this OS's health. */
		if (h.checks[i].ok != 0 || strcmp(h.checks[i].name, "time") == 0 ||
		    strcmp(h.checks[i].name, "drain") == 0 || strcmp(h.checks[i].name, "os") == 0)
			continue;
		snprintf(why, size, "%s: %s", h.checks[i].name, h.checks[i].detail);
		return 0;
	}
	return 1;
}

/* os_esp_open: the ESP mounted and its entry directory opened; -1 and a message when not. */
int os_esp_open(const struct osboot_opts *o, FILE *out)
{
	struct perr e = { "" };
	char dir[4096];
	int fd;

	if (esp_mount(o->sys, o->esp, &e) < 0) {
		fprintf(out, "os: %s\n", e.msg);
		return -1;
	}
	snprintf(dir, sizeof dir, "%s/%s", o->esp, BOOTENT_DIR);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fprintf(out, "os: %s: %s\n", dir, strerror(errno));
	return fd;
}

/* os_state_open: the OS state directory on /var, made if need be; -1 and a message when not. */
int os_state_open(const struct osboot_opts *o, FILE *out)
{
	int fd, rc = file_mkdirs(AT_FDCWD, o->state, 0755);

	if (rc < 0) {
		fprintf(out, "os: %s: %s\n", o->state, strerror(-rc));
		return -1;
	}
	fd = open(o->state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fprintf(out, "os: %s: %s\n", o->state, strerror(errno));
	return fd;
}

/* The last line of FILE in STATEFD that starts with PREFIX, or "". */
static void last_line(int statefd, const char *file, const char *prefix, char *line, size_t size)
{
	struct perr e;
	char *buf, *p, *nl;
	size_t len, n = strlen(prefix);

	line[0] = '\0';
	if (file_read_at(statefd, file, 1 << 20, &buf, &len, &e) < 0)
		return;
	for (p = buf; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (strncmp(p, prefix, n) == 0)
			snprintf(line, size, "%s", p + n);
	}
	free(buf);
}

/*
 * The other slot tried out (no tries left) while an update to it was
 * pending: a rollback, recorded once, with why.
 */
static void rollback_record(int statefd, const struct bootent *other, FILE *out)
{
	struct os_pending p;
	char prefix[OS_VERSION_MAX + 8], why[512], rec[1024];
	int n, rc;

	if (other->left != 0 || osstate_get(statefd, "pending", &p) < 0 || p.slot != other->slot)
		return;
	snprintf(prefix, sizeof prefix, "%s: ", p.version);
	last_line(statefd, "trial", prefix, why, sizeof why);
	if (why[0] == '\0')
		snprintf(why, sizeof why, "it never came as far as its health check (a kernel panic, a hang the "
			 "watchdog ended, or a failure before /var was mounted)");
	/* The old OS may change what the failed one's migrations read. */
	rc = os_migrations_forget(statefd, p.version);
	if (rc < 0)
		fprintf(out, "os: %s/migrated: %s\n", OS_STATE_DIR, strerror(-rc));
	n = snprintf(rec, sizeof rec, "version %s in slot %c failed %d tries: %s\n", p.version, p.slot,
		     other->done, why);
	if (file_write_at(statefd, "rollback", rec, (size_t)n, 0644) < 0)
		fprintf(out, "os: %s/rollback: %s\n", OS_STATE_DIR, strerror(errno));
	/* Held out of service (the health check "os") until an operator resumes it. */
	if (file_write_at(statefd, "hold", rec, (size_t)n, 0644) < 0)
		fprintf(out, "os: %s/hold: %s\n", OS_STATE_DIR, strerror(errno));
	osstate_log(statefd, "rollback: %.*s", n - 1, rec);
	unlinkat(statefd, "pending", 0);
	unlinkat(statefd, "trial", 0);
	fprintf(out, "os: rolled back: %s", rec);
}

static const char *entry_state(const struct bootent *b, char *buf, size_t size)
{
	if (b->left < 0)
		return "good";
	if (b->left == 0 && b->done > 0)
		snprintf(buf, size, "tried out (%d tries)", b->done);
	else
		snprintf(buf, size, "on trial: %d tries left, %d done", b->left, b->done);
	return buf;
}

int os_status(const struct osboot_opts *o, FILE *out)
{
	struct bootent me, other;
	struct os_pending p;
	char slot, version[OS_VERSION_MAX] = "?", buf[64], line[1024];
	int dirfd, statefd, rc;

	rc = os_slot_running(o->cmdline, &slot);
	if (rc < 0) {
		fprintf(out, "running   not from a root slot (no cairn.slot= on the command line)\n");
		return 0;
	}
	osrel_get(o->osrel, "IMAGE_VERSION", version, sizeof version);
	dirfd = os_esp_open(o, out);
	if (dirfd < 0)
		return -1;
	fprintf(out, "running   slot %c, version %s, %s\n", slot, version,
		bootent_find(dirfd, slot, &me) == 0 ? entry_state(&me, buf, sizeof buf) : "no entry on the ESP");
	rc = bootent_find(dirfd, slot == 'a' ? 'b' : 'a', &other);
	fprintf(out, "slot %c    %s\n", slot == 'a' ? 'b' : 'a', rc == 0 ? entry_state(&other, buf, sizeof buf) :
		rc == -ENOENT ? "no entry on the ESP (empty, or being written)" : "more than one entry on the ESP");
	close(dirfd);
	statefd = open(o->state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (statefd < 0)
		return 0;
	if (osstate_get(statefd, "update", &p) == 0)
		fprintf(out, "update    %s to slot %c: cut off before it was written (run it again)\n", p.version,
			p.slot);
	if (osstate_get(statefd, "pending", &p) == 0)
		fprintf(out, "pending   %s in slot %c, %d tries\n", p.version, p.slot, p.tries);
	if (osstate_get(statefd, "staged", &p) == 0)
		fprintf(out, "staged    %s in slot %c, %d tries: `cairn-agent os reboot` starts it\n", p.version,
			p.slot, p.tries);
	last_line(statefd, "rollback", "", line, sizeof line);
	if (line[0] != '\0')
		fprintf(out, "rollback  %s\n", line);
	last_line(statefd, "log", "", line, sizeof line);
	if (line[0] != '\0')
		fprintf(out, "last      %s\n", line);
	close(statefd);
	return 0;
}

int os_check(const struct osboot_opts *o, FILE *out)
{
	struct bootent me, other;
	char slot, version[OS_VERSION_MAX] = "?", why[512] = "";
	char prog[256], *reboot[] = { prog, (char *)"reboot", NULL };
	long long start = now_s();
	int dirfd = -1, statefd = -1, rc = -1, good;

	snprintf(prog, sizeof prog, "%s", o->initctl);
	if (os_slot_running(o->cmdline, &slot) < 0) {
		fprintf(out, "os: not booted from a root slot: nothing to check\n");
		return 0;
	}
	osrel_get(o->osrel, "IMAGE_VERSION", version, sizeof version);
	dirfd = os_esp_open(o, out);
	statefd = os_state_open(o, out);
	if (dirfd < 0 || statefd < 0)
		goto out;
	if (bootent_find(dirfd, slot == 'a' ? 'b' : 'a', &other) == 0)
		rollback_record(statefd, &other, out);
	if (bootent_find(dirfd, slot, &me) < 0) {
		fprintf(out, "os: slot %c has no single entry on the ESP: nothing to bless\n", slot);
		rc = 0;
		goto out;
	}
	if (me.left < 0) {
		fprintf(out, "os: slot %c, version %s: good\n", slot, version);
		rc = 0;
		goto out;
	}
	osstate_log(statefd, "boot %s in slot %c: try %d, %d left", version, slot, me.done, me.left);
	fprintf(out, "os: slot %c, version %s, on trial (try %d): waiting up to %u s for health\n", slot, version,
		me.done, o->timeout);
	while (!(good = healthy(o, why, sizeof why)) && now_s() - start < (long long)o->timeout)
		sleep(POLL_S);
	if (good) {
		rc = bootent_bless(dirfd, &me);
		if (rc < 0) {
			fprintf(out, "os: %s/%s/%s: blessing it: %s\n", o->esp, BOOTENT_DIR, me.name, strerror(-rc));
			goto out;
		}
		osstate_log(statefd, "boot %s in slot %c: good after %lld s: the default from now on", version,
			    slot, now_s() - start);
		unlinkat(statefd, "pending", 0);
		unlinkat(statefd, "trial", 0);
		unlinkat(statefd, "hold", 0);
		fprintf(out, "os: slot %c, version %s: good after %lld s: the default from now on\n", slot, version,
			now_s() - start);
		goto out;
	}
	{
		char reason[640], line[OS_VERSION_MAX + 660];
		int n;

		snprintf(reason, sizeof reason, "not healthy %u s after boot %d: %s", o->timeout, me.done, why);
		n = snprintf(line, sizeof line, "%s: %s\n", version, reason);
		n = osstate_append(statefd, "trial", line, (size_t)n);
		if (n < 0)
			fprintf(out, "os: %s/trial: %s\n", o->state, strerror(-n));
		osstate_log(statefd, "boot %s in slot %c: %s", version, slot, reason);
		fprintf(out, "os: slot %c, version %s: %s\n", slot, version, reason);
	}
	fprintf(out, "os: rebooting: %s\n", me.left > 0 ? "the next try" : "back to the other slot");
	fflush(out);
	if (run_tool(reboot, NULL, 30) < 0)
		fprintf(out, "os: initctl reboot failed\n");
out:
	if (dirfd >= 0)
		close(dirfd);
	if (statefd >= 0)
		close(statefd);
	return rc;
}

/* The migrations this OS carries and /var has not had (osmigrate.c). */
int os_migrate_boot(const struct osboot_opts *o, FILE *out)
{
	char version[OS_VERSION_MAX] = "?";
	int statefd = os_state_open(o, out), rc;

	if (statefd < 0)
		return -1;
	osrel_get(o->osrel, "IMAGE_VERSION", version, sizeof version);
	rc = os_migrate(o->migrate, statefd, version, OS_MIGRATE_TIMEOUT_S, out);
	close(statefd);
	return rc;
}
