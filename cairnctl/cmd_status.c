/*
 * cmd_status.c: cairnctl status: GET /v1/status of every node, one line
 * each (or one JSON array): version, slot, the update it holds, health
 * and the first failed check, GPUs seen of expected, uptime.  A node that
 * does not answer, or answers wrong, is a line saying why.  Exit 1 when
 * any node is unhealthy or did not answer.
 */
#include <stdlib.h>
#include <string.h>

#include "cairnctl.h"

#define STATUS_MAX (64 << 10)

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

static void uptime_text(json_t *v, char *out, size_t size)
{
	long long s = json_is_integer(v) ? json_integer_value(v) : -1;

	if (s < 0)
		snprintf(out, size, "-");
	else if (s >= 86400)
		snprintf(out, size, "%lldd%02lldh", s / 86400, s / 3600 % 24);
	else
		snprintf(out, size, "%lldh%02lldm", s / 3600, s / 60 % 60);
}

/* One node's line, from its status; 1 when it is healthy. */
static int line(const struct node *n, json_t *st)
{
	json_t *u = json_object_get(st, "update"), *g = json_object_get(st, "gpus");
	json_t *f = json_array_get(json_object_get(st, "failed"), 0);
	char update[96] = "-", health[160], gpus[24] = "-", up[24], version[40], slot[4];
	int healthy = json_is_true(json_object_get(st, "healthy"));

	snprintf(version, sizeof version, "%s", str(st, "version"));
	snprintf(slot, sizeof slot, "%s", str(st, "slot"));
	if (json_is_object(u))
		snprintf(update, sizeof update, "%s %s", str(u, "state"), str(u, "version"));
	if (healthy)
		snprintf(health, sizeof health, "healthy");
	else if (json_is_object(f))
		snprintf(health, sizeof health, "FAIL %s: %s", str(f, "name"), str(f, "detail"));
	else
		snprintf(health, sizeof health, "FAIL");
	if (json_is_integer(json_object_get(g, "seen")))
		snprintf(gpus, sizeof gpus, json_is_integer(json_object_get(g, "expected")) ? "%lld/%lld" : "%lld",
			 (long long)json_integer_value(json_object_get(g, "seen")),
			 (long long)json_integer_value(json_object_get(g, "expected")));
	uptime_text(json_object_get(st, "uptime_s"), up, sizeof up);
	ctl_clean(version);
	ctl_clean(slot);
	ctl_clean(update);
	ctl_clean(health);
	printf("%-16s %-10s %-4s %-20s %-6s %-8s %s\n", n->name, version, slot, update, gpus, up, health);
	return healthy;
}

static int one(const struct node *n, json_t *st, const char *why, json_t *all)
{
	if (all != NULL) {
		json_t *e = st != NULL ? json_incref(st) : json_pack("{s:s}", "error", why);

		json_object_set_new(e, "node", json_string(n->name));
		json_object_set_new(e, "answered", json_boolean(st != NULL));
		json_array_append_new(all, e);
		return st == NULL || !json_is_true(json_object_get(st, "healthy"));
	}
	if (st == NULL) {
		printf("%-16s %-10s %-4s %-20s %-6s %-8s no answer: %s\n", n->name, "-", "-", "-", "-", "-", why);
		return 1;
	}
	return !line(n, st);
}

int cmd_status(struct ctl *c, int argc, char **argv)
{
	size_t bad;

	(void)argv;
	if (argc != 1)
		ctl_die(EXIT_USAGE, "usage: cairnctl [OPTIONS] status");
	if (!c->json)
		printf("%-16s %-10s %-4s %-20s %-6s %-8s %s\n", "NODE", "VERSION", "SLOT", "UPDATE", "GPUS", "UPTIME",
		       "HEALTH");
	bad = ctl_fleet_each(c, "/v1/status", STATUS_MAX, one, json_array());
	if (bad > 0)
		fprintf(stderr, "cairnctl: %zu of %zu nodes unhealthy or not answering\n", bad, c->nodes.n);
	return bad > 0 ? EXIT_SOME : 0;
}
