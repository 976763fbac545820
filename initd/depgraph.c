/* depgraph.c: a start order in which every service follows what it depends
 * on; unknown dependencies and cycles are reported, and only the services
 * they touch are left out. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "depgraph.h"

static int find(struct svc *const svcs[], int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(svcs[i]->name, name) == 0)
			return i;
	return -1;
}

/* Append to err, as much as fits; later messages are dropped, never split mid-way badly. */
static __attribute__((format(printf, 3, 4))) void report(char *err, size_t size, const char *fmt, ...)
{
	size_t used = strnlen(err, size);
	va_list ap;

	if (used + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(err + used, size - used, fmt, ap);
	va_end(ap);
}

/* Name one cycle among the services left over (all still have a left-over dependency). */
static void report_cycle(struct svc *const svcs[], int n, int dep[][SVC_DEPS_MAX],
			 const int left[], int start, char *err, size_t errsize)
{
	int seen[DEPGRAPH_MAX], at = start, k, i;

	memset(seen, 0, sizeof seen);
	/* Walk left-over edges until a service repeats: that one is on a cycle. */
	while (!seen[at]) {
		seen[at] = 1;
		for (k = 0; k < svcs[at]->ndepends; k++)
			if (dep[at][k] >= 0 && left[dep[at][k]])
				break;
		at = dep[at][k];
	}
	report(err, errsize, "dependency cycle: %s", svcs[at]->name);
	i = at;
	do {
		for (k = 0; k < svcs[i]->ndepends; k++)
			if (dep[i][k] >= 0 && left[dep[i][k]])
				break;
		i = dep[i][k];
		report(err, errsize, " -> %s", svcs[i]->name);
	} while (i != at);
	report(err, errsize, "\n");
	(void)n;
}

/*
 * depgraph_order: fill order[] with indexes into svcs so that every service
 * comes after those it depends on; returns how many were ordered.  bad[i]
 * is set for a service left out: one that depends on an unknown service,
 * on a left-out one, or sits on a dependency cycle.  Every reason is
 * written to err, one line each.  -EINVAL when n is out of range.
 */
int depgraph_order(struct svc *const svcs[], int n, int order[], int bad[],
		   char *err, size_t errsize)
{
	int dep[DEPGRAPH_MAX][SVC_DEPS_MAX], waiting[DEPGRAPH_MAX], left[DEPGRAPH_MAX];
	int i, k, changed, count = 0, head = 0;

	if (n < 0 || n > DEPGRAPH_MAX)
		return -EINVAL;
	if (errsize > 0)
		err[0] = '\0';
	memset(dep, 0xff, sizeof dep);	/* -1: no such service */
	for (i = 0; i < n; i++) {
		bad[i] = 0;
		for (k = 0; k < svcs[i]->ndepends; k++) {
			dep[i][k] = find(svcs, n, svcs[i]->depends[k]);
			if (dep[i][k] < 0) {
				report(err, errsize, "%s: depends on unknown service '%s'\n",
				       svcs[i]->name, svcs[i]->depends[k]);
				bad[i] = 1;
			}
		}
	}
	/* What depends on a left-out service is left out too. */
	do {
		changed = 0;
		for (i = 0; i < n; i++) {
			for (k = 0; !bad[i] && k < svcs[i]->ndepends; k++) {
				if (dep[i][k] >= 0 && bad[dep[i][k]]) {
					report(err, errsize, "%s: not started: needs '%s'\n",
					       svcs[i]->name, svcs[dep[i][k]]->name);
					bad[i] = changed = 1;
				}
			}
		}
	} while (changed);

	/* Kahn: start what waits on nothing; each start frees its dependents. */
	for (i = 0; i < n; i++) {
		waiting[i] = 0;
		left[i] = !bad[i];
		for (k = 0; !bad[i] && k < svcs[i]->ndepends; k++)
			waiting[i]++;
		if (!bad[i] && waiting[i] == 0)
			order[count++] = i;
	}
	while (head < count) {
		int done = order[head++];

		left[done] = 0;
		for (i = 0; i < n; i++) {
			if (bad[i] || !left[i] || waiting[i] == 0)
				continue;
			for (k = 0; k < svcs[i]->ndepends; k++)
				if (dep[i][k] == done && --waiting[i] == 0)
					order[count++] = i;
		}
	}
	/* Whatever is left waits on a cycle (or on something behind one). */
	for (i = 0; i < n; i++) {
		if (!left[i] || bad[i])
			continue;
		report_cycle(svcs, n, dep, left, i, err, errsize);
		for (k = 0; k < n; k++) {
			if (left[k] && !bad[k]) {
				bad[k] = 1;
				if (k != i)
					report(err, errsize, "%s: not started: on or behind the cycle\n",
					       svcs[k]->name);
			}
		}
		report(err, errsize, "%s: not started: on the cycle\n", svcs[i]->name);
		break;
	}
	return count;
}
