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
	char drain[400], hold[400], sock[108];
	struct health_opts ho = {
		.root = o->root, .conf = o->conf, .kmsg = o->kmsg, .kmsg_len = o->kmsg_len, .disks = disks,
		.min_free_pct = 10, .containerd_sock = sock, .time_synced = -1,
		.nvidia_smi = "nvidia-smi", .drain_file = drain, .hold_file = hold,
	};

	/* The fake node's own, under its root, in tests. */
	snprintf(sock, sizeof sock, "%s/run/containerd/containerd.sock", o->root);
	drain_path(o, drain, sizeof drain);
	snprintf(hold, sizeof hold, "%s%s", o->root, OS_HOLD_FILE);
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

/* The operator's drain ended, and a rollback held acknowledged. */
static int op_resume(const struct api_opts *o, struct reply *out)
{
	char path[400], hold[400];

	drain_path(o, path, sizeof path);
	snprintf(hold, sizeof hold, "%s%s", o->root, OS_HOLD_FILE);
	if (unlink(path) < 0 && errno != ENOENT)
		return reply_text(out, 500, "resume: %s: %s\n", path, strerror(errno));
	if (unlink(hold) < 0 && errno != ENOENT)
		return reply_text(out, 500, "resume: %s: %s\n", hold, strerror(errno));
	fprintf(o->log, "api: resumed\n");
	return reply_text(out, 200, "resumed\n");
}

/* The OS's paths under the API's root, for os status and os reboot. */
struct os_paths {
	char sys[400], cmdline[400], osrel[400], state[400], esp[400];
};

static void os_paths(const struct api_opts *o, struct os_paths *p, struct osboot_opts *b)
{
	snprintf(p->sys, sizeof p->sys, "%s/sys", o->root);
	snprintf(p->cmdline, sizeof p->cmdline, "%s/proc/cmdline", o->root);
	snprintf(p->osrel, sizeof p->osrel, "%s/etc/os-release", o->root);
	snprintf(p->state, sizeof p->state, "%s%s", o->root, OS_STATE_DIR);
	snprintf(p->esp, sizeof p->esp, "%s%s", o->root, ESP_DIR);
	memset(b, 0, sizeof *b);
	b->sys = p->sys;
	b->cmdline = p->cmdline;
	b->osrel = p->osrel;
	b->state = p->state;
	b->esp = o->root[0] != '\0' ? p->esp : ESP_DIR;
	b->initctl = "initctl";
}

/* The reboot, into an update staged if there is one (os reboot); what it says goes to the log. */
static int op_reboot(const struct api_opts *o, const char *who, struct reply *out)
{
	struct os_paths p;
	struct osboot_opts b;

	fprintf(o->log, "api: reboot asked by %s\n", who);
	os_paths(o, &p, &b);
	if (os_reboot(&b, o->log) < 0)
		return reply_text(out, 500, "reboot refused or failed: see the API's log\n");
	return reply_text(out, 200, "rebooting\n");
}

/* os status, then what the last update started here said. */
static int op_os(const struct api_opts *o, struct reply *out)
{
	char path[400], *text = NULL;
	struct os_paths p;
	struct osboot_opts b;
	struct perr e;
	size_t len;
	FILE *f;

	os_paths(o, &p, &b);
	snprintf(path, sizeof path, "%s%s", o->root, API_OS_UPDATE_OUT);
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
	int fd, rc;

	setsid();
	snprintf(path, sizeof path, "%s%s", o->root, API_OS_UPDATE_OUT);
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
	rc = run_tool(argv, NULL, OS_UPDATE_SECONDS);
	if (rc == 0 && reboot) {
		printf("rebooting into it\n");
		fflush(stdout);
		run_tool(initctl, NULL, API_COMMAND_SECONDS);
	}
	/* The last line, for whoever watches GET /v1/status (cairnctl update). */
	printf("%s %s\n", OS_UPDATE_END, rc == 0 ? "ok" : "failed");
	fflush(stdout);
	_exit(0);
}

/*
 * pkg os-update from REPO (node.conf [update] repo when ""), started in
 * the background: 202 at once, and GET /v1/os shows how it went.  One at
 * a time (409 otherwise).
 */
static int op_os_update(const struct api_opts *o, const struct priv_req *r, struct reply *out)
{
	char repo[NC_PATH], tries[4], lock[400], said[400];
	char *argv[] = { (char *)"pkg", (char *)"--repo", repo, (char *)"os-update", (char *)"--tries", tries,
			 r->reboot == PRIV_UPDATE_STAGE ? (char *)"--stage" : NULL, NULL };
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
	/* Emptied before the answer: what GET /v1/status shows after it is this update's. */
	snprintf(said, sizeof said, "%s%s", o->root, API_OS_UPDATE_OUT);
	fd = open(said, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return reply_text(out, 500, "os/update: %s: %s\n", said, strerror(errno));
	close(fd);
	fflush(o->log);
	pid = fork();
	if (pid == 0) {
		/* A grandchild, so that nothing waits for it. */
		if (fork() == 0)
			os_update_run(o, argv, r->reboot == PRIV_UPDATE_REBOOT);
		_exit(0);
	}
	if (pid < 0)
		return reply_text(out, 500, "os/update: fork: %s\n", strerror(errno));
	waitpid(pid, NULL, 0);
	fprintf(o->log, "api: os update from %s started (%s tries%s)\n", repo, tries,
		r->reboot == PRIV_UPDATE_REBOOT ? ", then a reboot" : r->reboot == PRIV_UPDATE_STAGE ? ", staged" : "");
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
