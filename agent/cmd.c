/* cmd.c: what cairn-agent's commands share: the node config, a --kmsg file, the health checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "api/api.h"
#include "cmd.h"
#include "fileio.h"
#include "osstate.h"

static const char *const health_disks[] = { "/", "/var", NULL };
/* The node's checks as health, slurm health and os check run them. */
const struct health_opts agent_health_defaults = {
	.disks = health_disks, .min_free_pct = 10,
	.containerd_sock = "/run/containerd/containerd.sock", .time_synced = -1,
	.nvidia_smi = "nvidia-smi", .drain_file = API_DRAIN_FILE, .hold_file = OS_HOLD_FILE,
};

/*
 * The node config at path: 1 loaded, 0 none (path, not named on the command
 * line, does not exist), -1 bad (said on stderr, after "what: " if given).
 */
int agent_conf_load(struct nodeconf *c, const char *path, int explicit, const char *what)
{
	char err[512];

	if (nodeconf_load(c, path, err, sizeof(err)) == 0)
		return 1;
	if (!explicit && access(path, F_OK) < 0)
		return 0;
	fprintf(stderr, "cairn-agent: %s%s%s\n", what != NULL ? what : "", what != NULL ? ": " : "", err);
	return -1;
}

/* The config at path, or the defaults where none is (and none was named). */
int agent_conf_or_defaults(struct nodeconf *c, const char *path, int explicit)
{
	char err[512];
	int rc = agent_conf_load(c, path, explicit, NULL);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (nodeconf_parse(c, "(defaults)", "", 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "cairn-agent: %s\n", err);
		return -1;
	}
	return 0;
}

/* --kmsg FILE: a kernel log to read instead of the kernel's (tests). */
int agent_kmsg_read(const char *cmd, const char *path, char **text, size_t *len)
{
	int rc = file_read_alloc(path, 64 << 20, text, len);

	if (rc < 0)
		fprintf(stderr, "cairn-agent: %s: %s: %s\n", cmd, path, strerror(-rc));
	return rc;
}

/* The node's health checks with the config at path (none there, and not
 * named: the checks that need none still run).  -1: the config is bad. */
int agent_health(const char *config, int explicit, struct health_opts *o, const char *kmsg, struct health *h)
{
	static struct nodeconf conf;
	char *text = NULL;
	size_t len = 0;
	int rc = agent_conf_load(&conf, config, explicit, "health");

	if (rc < 0)
		return -1;
	if (rc > 0)
		o->conf = &conf;
	if (kmsg != NULL && agent_kmsg_read("health", kmsg, &text, &len) < 0)
		return -1;
	o->kmsg = text;
	o->kmsg_len = len;
	health_run(o, h);
	free(text);
	o->kmsg = NULL;
	o->conf = NULL;
	OPENSSL_cleanse(&conf, sizeof(conf));
	return 0;
}
