/*
 * api_privops.c: what the API's privileged helper does for each request
 * of its set (api_priv.c has checked it): the health checks as root,
 * the kernel log, initctl's status, logs and reboot, the operator's
 * drain, the OS's slots and an update.  Each answer is a struct reply.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/api_priv.h"
#include "bootent.h"
#include "fileio.h"
#include "health/health.h"
#include "os/osboot.h"
#include "osstate.h"
#include "runcap.h"

#define OS_UPDATE_SECONDS 3600			/* for pkg os-update to write a slot */
#define OS_UPDATE_OUT "/run/cairn/os-update.out"	/* what an update the API started says */

/* Where an operator's drain is kept: the reason, in /run (gone at boot). */
static void drain_path(const struct api_opts *o, char *path, size_t size)
{
	snprintf(path, size, "%s%s", o->root, API_DRAIN_FILE);
}

static int op_health(const struct api_opts *o, struct reply *out)
{
	static const char *const disks[] = { "/", "/var", NULL };
	static struct health h;
	size_t n = sizeof h;	/* what goes back is its bytes */
	char drain[400];
	struct health_opts ho = {
		.root = o->root, .conf = o->conf, .kmsg = o->kmsg, .kmsg_len = o->kmsg_len, .disks = disks,
		.min_free_pct = 10, .containerd_sock = "/run/containerd/containerd.sock", .time_synced = -1,
		.nvidia_smi = "nvidia-smi", .drain_file = drain,
	};

	drain_path(o, drain, sizeof drain);
	health_run(&ho, &h);
	out->body = malloc(n);
	if (out->body == NULL)
		return -ENOMEM;
	memcpy(out->body, &h, n);
	out->len = n;
	out->status = 200;
	return 0;
}

static int op_kmsg(const struct api_opts *o, struct reply *out)
{
	if (o->kmsg != NULL) {
		out->body = malloc(o->kmsg_len + 1);
		if (out->body == NULL)
			return -ENOMEM;
		memcpy(out->body, o->kmsg, o->kmsg_len);
		out->len = o->kmsg_len;
	} else if (kernel_log(&out->body, &out->len) < 0) {
		return reply_text(out, 500, "the kernel log cannot be read\n");
	}
	out->status = 200;
	return 0;
}

/* The reason: letters, digits and . _ ~ : - with + for a space. */
static int op_drain(const struct api_opts *o, const char *arg, struct reply *out)
{
	char reason[PRIV_ARG_MAX], path[400];
	size_t i;
	int rc;

	snprintf(reason, sizeof reason, "%s", arg);
	for (i = 0; reason[i] != '\0'; i++)
		if (reason[i] == '+')
			reason[i] = ' ';
	drain_path(o, path, sizeof path);
	rc = file_write_atomic(path, reason, strlen(reason), 0644);
	if (rc < 0)
		return reply_text(out, 500, "drain: %s: %s\n", path, strerror(-rc));
	fprintf(o->log, "api: drained: %s\n", reason);
	return reply_text(out, 200, "drained: %s\n", reason);
}

static int op_resume(const struct api_opts *o, struct reply *out)
{
	char path[400];

	drain_path(o, path, sizeof path);
	if (unlink(path) < 0 && errno != ENOENT)
		return reply_text(out, 500, "resume: %s: %s\n", path, strerror(errno));
	fprintf(o->log, "api: resumed\n");
	return reply_text(out, 200, "resumed\n");
}

static int op_reboot(const struct api_opts *o, const char *who, struct reply *out)
{
	char *argv[] = { (char *)"initctl", (char *)"reboot", NULL };

	fprintf(o->log, "api: reboot asked by %s\n", who);
	fflush(o->log);
	return reply_command(out, argv);
}

/* os status, then what the last update started here said. */
static int op_os(const struct api_opts *o, struct reply *out)
{
	char sys[400], cmdline[400], osrel[400], state[400], path[400], *text = NULL;
	struct osboot_opts b = { .sys = sys, .cmdline = cmdline, .osrel = osrel, .esp = ESP_DIR, .state = state };
	struct perr e;
	size_t len;
	FILE *f;

	snprintf(sys, sizeof sys, "%s/sys", o->root);
	snprintf(cmdline, sizeof cmdline, "%s/proc/cmdline", o->root);
	snprintf(osrel, sizeof osrel, "%s/etc/os-release", o->root);
	snprintf(state, sizeof state, "%s%s", o->root, OS_STATE_DIR);
	snprintf(path, sizeof path, "%s%s", o->root, OS_UPDATE_OUT);
	f = open_memstream(&out->body, &out->len);
	if (f == NULL)
		return -ENOMEM;
	os_status(&b, f);
	if (file_read_at(AT_FDCWD, path, 1 << 16, &text, &len, &e) == 0) {
		fprintf(f, "\nthe last update started through the API said:\n%s", text);
		free(text);
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	out->status = 200;
	return 0;
}

/* The update's own process: pkg, then the reboot asked for.  Never returns. */
static void os_update_run(const struct api_opts *o, char *const *argv, int reboot)
{
	char path[400], *initctl[] = { (char *)"initctl", (char *)"reboot", NULL };
	int fd;

	setsid();
	snprintf(path, sizeof path, "%s%s", o->root, OS_UPDATE_OUT);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		dup2(fd, 0);
	/* Not the answer's stream nor the helper's socket: the client waits
	 * for its answer's end. */
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	if (run_tool(argv, NULL, OS_UPDATE_SECONDS) == 0 && reboot) {
		printf("rebooting into it\n");
		fflush(stdout);
		run_tool(initctl, NULL, API_COMMAND_SECONDS);
	}
	_exit(0);
}

/*
 * pkg os-update from REPO (node.conf [update] repo when ""), started in
 * the background: 202 at once, and GET /v1/os shows how it went.  One at
 * a time (409 otherwise).
 */
static int op_os_update(const struct api_opts *o, const struct priv_req *r, struct reply *out)
{
	char repo[NC_PATH], tries[4], lock[400];
	char *argv[] = { (char *)"pkg", (char *)"--repo", repo, (char *)"os-update", (char *)"--tries", tries, NULL };
	int fd, busy;
	pid_t pid;

	if (r->arg[0] != '\0')
		snprintf(repo, sizeof repo, "%s", r->arg);
	else if (o->conf != NULL && o->conf->update_repo[0] != '\0')
		snprintf(repo, sizeof repo, "%s", o->conf->update_repo);
	else
		return reply_text(out, 400, "os/update: ?repo=URL (https://, or a path on the node), or node.conf "
				  "[update] repo\n");
	snprintf(tries, sizeof tries, "%u", (unsigned)r->tries);
	/* pkg holds the lock while it writes; a second one would only be refused. */
	snprintf(lock, sizeof lock, "%s%s/lock", o->root, OS_STATE_DIR);
	fd = open(lock, O_RDONLY | O_CLOEXEC);
	busy = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	if (fd >= 0)
		close(fd);
	if (busy)
		return reply_text(out, 409, "os/update: an update is being written: GET /v1/os\n");
	fflush(o->log);
	pid = fork();
	if (pid == 0) {
		/* A grandchild, so that nothing waits for it. */
		if (fork() == 0)
			os_update_run(o, argv, r->reboot != 0);
		_exit(0);
	}
	if (pid < 0)
		return reply_text(out, 500, "os/update: fork: %s\n", strerror(errno));
	waitpid(pid, NULL, 0);
	fprintf(o->log, "api: os update from %s started (%s tries%s)\n", repo, tries,
		r->reboot ? ", then a reboot" : "");
	return reply_text(out, 202, "os update from %s started: GET /v1/os for how it goes\n", repo);
}

/* privop_run: do R (checked) and put its answer in OUT; 0 or -ENOMEM. */
int privop_run(const struct api_opts *o, const struct priv_req *r, struct reply *out)
{
	char *status[] = { (char *)"initctl", (char *)"status", NULL };
	char name[PRIV_ARG_MAX], *log[] = { (char *)"initctl", (char *)"log", name, NULL };

	switch (r->op) {
	case PRIV_HEALTH:
		return op_health(o, out);
	case PRIV_KMSG:
		return op_kmsg(o, out);
	case PRIV_SERVICES:
		return reply_command(out, status);
	case PRIV_LOG:
		snprintf(name, sizeof name, "%s", r->arg);
		return reply_command(out, log);
	case PRIV_DRAIN:
		return op_drain(o, r->arg, out);
	case PRIV_RESUME:
		return op_resume(o, out);
	case PRIV_REBOOT:
		return op_reboot(o, r->who, out);
	case PRIV_OS:
		return op_os(o, out);
	case PRIV_OS_UPDATE:
		return op_os_update(o, r, out);
	}
	return reply_text(out, 400, "helper: no request %u\n", (unsigned)r->op);
}
