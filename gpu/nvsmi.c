/*
 * nvsmi.c: live NVIDIA GPU figures through nvidia-smi's query interface
 * (--query-gpu, --query-remapped-rows, CSV without units).  The agent is
 * static musl and cannot load NVML (a glibc library); nvidia-smi, which
 * the driver package ships and which is NVML's own front end, can.  Its
 * output is parsed strictly: a line that does not have the fields asked
 * for is refused, "[N/A]" and "[Not Supported]" are unknown, never 0.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "nvsmi.h"
#include "runcap.h"

#define FIELDS_MAX 16

const char NVSMI_GPU_QUERY[] = "index,uuid,pci.bus_id,temperature.gpu,power.draw,memory.used,memory.total,"
			       "utilization.gpu,ecc.errors.uncorrected.volatile.total";
const char NVSMI_REMAP_QUERY[] = "gpu_uuid,remapped_rows.correctable,remapped_rows.uncorrectable,"
				 "remapped_rows.pending,remapped_rows.failure";

/* Split one CSV line (", " separated; nvidia-smi quotes nothing) in place. */
static int fields(char *line, char **f, int max)
{
	int n = 0, i;
	char *p = line, *comma;

	for (;;) {
		if (n == max)
			return -1;
		while (*p == ' ')
			p++;
		f[n++] = p;
		comma = strchr(p, ',');
		if (comma == NULL)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	for (i = 0; i < n; i++) {
		size_t l = strlen(f[i]);

		while (l > 0 && (f[i][l - 1] == ' ' || f[i][l - 1] == '\r'))
			f[i][--l] = '\0';
	}
	return n;
}

static int unknown(const char *v)
{
	return v[0] == '[' || strcmp(v, "N/A") == 0 || v[0] == '\0';
}

/* A number, or NAN for unknown; -1 for text that is neither. */
static int num(const char *v, double *out)
{
	char *end;

	if (unknown(v)) {
		*out = NAN;
		return 0;
	}
	*out = strtod(v, &end);
	if (end == v || *end != '\0' || !isfinite(*out) || *out < 0 || *out > 1e15)
		return -1;
	return 0;
}

/* remapped_rows.pending and .failure: Yes/No, or 1/0. */
static int yes_no(const char *v, double *out)
{
	if (strcmp(v, "Yes") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcmp(v, "No") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else if (unknown(v))
		*out = NAN;
	else
		return -1;
	return 0;
}

static int uuid_ok(const char *v)
{
	size_t n = strlen(v);

	return n > 4 && n < NVSMI_UUID && strncmp(v, "GPU-", 4) == 0 &&
	       strspn(v + 4, "0123456789abcdefABCDEF-") == n - 4;
}

/* The next line of text, NUL-terminated in buf; 0 at the end. */
static int next_line(const char **p, const char *end, char *buf, size_t size)
{
	const char *nl;
	size_t n;

	if (*p >= end)
		return 0;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	n = nl != NULL ? (size_t)(nl - *p) : (size_t)(end - *p);
	if (n >= size || memchr(*p, '\0', n) != NULL)
		return -1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p = nl != NULL ? nl + 1 : end;
	return 1;
}

/*
 * nvsmi_parse_gpus: the answer to --query-gpu=NVSMI_GPU_QUERY into g (at
 * most max), *n of them.  -EINVAL for a line that is not nine fields of
 * the kinds asked for; -E2BIG for more than max GPUs.
 */
int nvsmi_parse_gpus(const char *text, size_t len, struct gpu_live *g, int max, int *n)
{
	const char *p = text, *end = text + len;
	char line[1024], *f[FIELDS_MAX];
	int rc;

	*n = 0;
	while ((rc = next_line(&p, end, line, sizeof line)) != 0) {
		struct gpu_live *x;
		double idx;
		char *e;

		if (rc < 0)
			return -EINVAL;
		if (line[0] == '\0')
			continue;
		if (*n == max)
			return -E2BIG;
		x = &g[*n];
		memset(x, 0, sizeof *x);
		if (fields(line, f, FIELDS_MAX) != 9 || !uuid_ok(f[1]) || strlen(f[2]) >= sizeof x->bus_id ||
		    strlen(f[2]) < 12)
			return -EINVAL;
		idx = strtod(f[0], &e);
		if (e == f[0] || *e != '\0' || idx < 0 || idx > 1023 || idx != (int)idx)
			return -EINVAL;
		x->index = (int)idx;
		memcpy(x->uuid, f[1], strlen(f[1]) + 1);
		memcpy(x->bus_id, f[2], strlen(f[2]) + 1);
		if (num(f[3], &x->temp_c) < 0 || num(f[4], &x->power_w) < 0 || num(f[5], &x->mem_used_mib) < 0 ||
		    num(f[6], &x->mem_total_mib) < 0 || num(f[7], &x->util_pct) < 0 ||
		    num(f[8], &x->ecc_uncorrected) < 0)
			return -EINVAL;
		x->remap_correctable = x->remap_uncorrectable = x->remap_pending = x->remap_failure = NAN;
		(*n)++;
	}
	return 0;
}

/* nvsmi_parse_remap: the answer to --query-remapped-rows=NVSMI_REMAP_QUERY,
 * onto the GPUs of g by UUID.  -EINVAL for a malformed line. */
int nvsmi_parse_remap(const char *text, size_t len, struct gpu_live *g, int n)
{
	const char *p = text, *end = text + len;
	char line[1024], *f[FIELDS_MAX];
	int rc, i;

	while ((rc = next_line(&p, end, line, sizeof line)) != 0) {
		double c, u, pend, fail;

		if (rc < 0)
			return -EINVAL;
		if (line[0] == '\0')
			continue;
		if (fields(line, f, FIELDS_MAX) != 5 || !uuid_ok(f[0]) || num(f[1], &c) < 0 || num(f[2], &u) < 0 ||
		    yes_no(f[3], &pend) < 0 || yes_no(f[4], &fail) < 0)
			return -EINVAL;
		for (i = 0; i < n; i++)
			if (strcmp(g[i].uuid, f[0]) == 0) {
				g[i].remap_correctable = c;
				g[i].remap_uncorrectable = u;
				g[i].remap_pending = pend;
				g[i].remap_failure = fail;
			}
	}
	return 0;
}

/* nvsmi_bus_id: sysfs's PCI address (0000:3b:00.0) as NVML and nvidia-smi
 * write it: 8 hex digits of domain, upper case (00000000:3B:00.0). */
void nvsmi_bus_id(const char *pci, char *out, size_t size)
{
	size_t i, n;

	n = (size_t)snprintf(out, size, "0000%s", pci);
	for (i = 0; i < n && i < size; i++)
		out[i] = (char)toupper((unsigned char)out[i]);
}

/* Run nvidia-smi with one query; its stdout, at most 1 MiB. */
static int query(const char *nvsmi, const char *what, const char *fields_list, char **out, size_t *len)
{
	char prog[256], arg[512], format[] = "--format=csv,noheader,nounits";
	char *argv[] = { prog, arg, format, NULL };

	snprintf(prog, sizeof prog, "%s", nvsmi);
	snprintf(arg, sizeof arg, "--%s=%s", what, fields_list);
	return run_capture(argv, 1 << 20, 20, out, len);
}

/*
 * nvsmi_read: the live figures of every NVIDIA GPU through nvidia-smi
 * (a name found on PATH, or a path).  Row remapping is asked separately:
 * a GPU older than Ampere has none, and its figures stay unknown.
 * Returns 0, or -errno with err saying why (-ENOENT: no nvidia-smi).
 */
int nvsmi_read(const char *nvsmi, struct gpu_live *g, int max, int *n, char *err, size_t errsz)
{
	char *text = NULL;
	size_t len;
	int rc;

	*n = 0;
	rc = query(nvsmi, "query-gpu", NVSMI_GPU_QUERY, &text, &len);
	if (rc < 0) {
		err_fail(err, errsz, "%s --query-gpu: %s", nvsmi,
			 rc == -ENOENT ? "not found" : rc == -EIO ? "failed" : strerror(-rc));
		return rc;
	}
	rc = nvsmi_parse_gpus(text, len, g, max, n);
	free(text);
	if (rc < 0)
		return err_fail(err, errsz, "%s --query-gpu: %s", nvsmi,
				rc == -E2BIG ? "more GPUs than the agent takes" : "an answer it cannot read");
	if (query(nvsmi, "query-remapped-rows", NVSMI_REMAP_QUERY, &text, &len) == 0) {
		rc = nvsmi_parse_remap(text, len, g, *n);
		free(text);
		if (rc < 0)
			return err_fail(err, errsz, "%s --query-remapped-rows: an answer it cannot read", nvsmi);
	}
	return 0;
}
