/*
 * slurm.c: the slurm profile's decisions, kept apart from the programs
 * they run so that they can be tested: slurmd's command line (configless,
 * and for a dynamic node the GPUs the agent found), the node's state as
 * `scontrol show node -o` prints it, whether the node has joined, and
 * what the health check does about the node: drain it with the failed
 * check as the reason, or resume it once healthy, in the manner of LBNL
 * NHC (only a drain of its own is ever resumed).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "profile/slurm.h"

/*
 * slurm_slurmd_args: slurmd in the foreground, its config from the
 * controller.  A dynamic node (the default) registers itself (-Z), with
 * its GPUs and features as a slurm.conf node line would give them (slurmd
 * takes --conf only with -Z).  conf holds that line.  Returns argc, or
 * -E2BIG.
 */
int slurm_slurmd_args(struct nodeconf *c, unsigned ngpu, char *conf, size_t confsz, char **argv,
		      size_t max)
{
	size_t n = 0;
	int len = 0;

	if (max < 8 || confsz == 0)
		return -E2BIG;
	conf[0] = '\0';
	argv[n++] = (char *)"/usr/sbin/slurmd";
	argv[n++] = (char *)"-D";
	argv[n++] = (char *)"--conf-server";
	argv[n++] = c->slurm_controller;
	if (!c->slurm_static) {
		argv[n++] = (char *)"-Z";
		if (ngpu > 0)
			len = snprintf(conf, confsz, "Gres=gpu:%u", ngpu);
		if (len >= 0 && (size_t)len < confsz && c->slurm_features[0] != '\0')
			len += snprintf(conf + len, confsz - (size_t)len, "%sFeature=%s", len > 0 ? " " : "",
					c->slurm_features);
		if (len < 0 || (size_t)len >= confsz)
			return -E2BIG;
		if (len > 0) {
			argv[n++] = (char *)"--conf";
			argv[n++] = conf;
		}
	}
	argv[n] = NULL;
	return (int)n;
}

/* The value of KEY= in one line of `scontrol -o` output: where it starts. */
static const char *field(const char *line, const char *end, const char *key)
{
	size_t k = strlen(key);
	const char *p;

	for (p = line; p + k <= end; p++)
		if ((p == line || p[-1] == ' ') && memcmp(p, key, k) == 0)
			return p + k;
	return NULL;
}

/*
 * slurm_node_parse: State= and Reason= of `scontrol show node NAME -o`.
 * The reason runs to the " [user@time]" scontrol appends, or to the end
 * of the line.  Returns 0, or -ENOENT when there is no State= (the node is
 * unknown to the controller).
 */
int slurm_node_parse(const char *text, size_t len, struct slurm_node *n)
{
	const char *end = memchr(text, '\n', len), *v, *e;
	size_t l;

	memset(n, 0, sizeof *n);
	if (end == NULL)
		end = text + len;
	v = field(text, end, "State=");
	if (v == NULL)
		return -ENOENT;
	for (e = v; e < end && *e != ' ' && *e != '\0'; e++)
		;
	l = (size_t)(e - v) < sizeof n->state ? (size_t)(e - v) : sizeof n->state - 1;
	memcpy(n->state, v, l);
	if (l == 0)
		return -ENOENT;
	v = field(text, end, "Reason=");
	if (v != NULL) {
		for (e = v; e < end && *e != '\0' && !(e[0] == ' ' && e + 1 < end && e[1] == '['); e++)
			;
		l = (size_t)(e - v) < sizeof n->reason ? (size_t)(e - v) : sizeof n->reason - 1;
		memcpy(n->reason, v, l);
		if (strcmp(n->reason, "(null)") == 0)
			n->reason[0] = '\0';
	}
	return 0;
}

/* The state's flag or base word (IDLE+DRAIN has IDLE and DRAIN). */
static int has_word(const char *state, const char *word)
{
	size_t k = strlen(word);
	const char *p = state;

	for (;;) {
		if (strncmp(p, word, k) == 0 && (p[k] == '\0' || p[k] == '+' || p[k] == '*'))
			return 1;
		p = strchr(p, '+');
		if (p == NULL)
			return 0;
		p++;
	}
}

/* slurm_joined: the controller has the node and hears it: not down,
 * unknown or future, and answering (no * or NOT_RESPONDING).  A drained
 * node has joined: it answers, it takes no work. */
int slurm_joined(const struct slurm_node *n)
{
	return n->state[0] != '\0' && strchr(n->state, '*') == NULL && !has_word(n->state, "NOT_RESPONDING") &&
	       !has_word(n->state, "DOWN") && !has_word(n->state, "UNKNOWN") && !has_word(n->state, "FUTURE");
}

static int ours(const struct slurm_node *n)
{
	return strncmp(n->reason, SLURM_REASON_TAG, strlen(SLURM_REASON_TAG)) == 0;
}

/*
 * slurm_health_action: unhealthy: drain with "cairn: FAILURE", unless the
 * node is drained already for that reason, or drained or down by someone
 * else (their reason stays: a node down after `scontrol reboot
 * nextstate=DOWN` keeps "reboot complete" for whoever resumes it).
 * Healthy: resume a node that this check drained, and nothing else.
 * reason receives the drain's reason.
 */
enum slurm_action slurm_health_action(const struct slurm_node *n, int healthy, const char *failure,
				      char *reason, size_t size)
{
	int drained = has_word(n->state, "DRAIN");
	int held = drained || has_word(n->state, "DOWN");

	snprintf(reason, size, "%s %s", SLURM_REASON_TAG, failure);
	if (healthy)
		return drained && ours(n) ? SLURM_RESUME : SLURM_KEEP;
	if (held && (!ours(n) || strcmp(n->reason, reason) == 0))
		return SLURM_KEEP;
	return SLURM_DRAIN;
}
