/* cdi_requests.c: the CDI devices a container's config.json asks for, and
 * whether whoever wrote that part of it may ask (doc/cairn-runtime.md,
 * WHO MAY ASK). */
#include <errno.h>
#include <string.h>

#include "cdi.h"
#include "fileio.h"

/* The Kubernetes path's answer, in each of its refusals. */
#define CRI_WAY "on the Kubernetes path only the kubelet's devices reach a container, " \
	"applied by containerd's CRI (enable_cdi): ask in resources.limits"

/* names_in: whether LIST, a comma list, names anything at all. */
static int names_in(const char *list)
{
	return list[strspn(list, " ,")] != '\0';
}

/* shown: S as a message may carry it: the container wrote it, so bytes
 * that are not printable ASCII, and quotes, become '?', and it is cut. */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 4 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = s[i];
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			buf[i] = '?';
	}
	if (s[i] != '\0') {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* add_names: LIST's names into NAMES, those already there not again. */
static int add_names(const char *list, char names[][CDI_NAME_MAX], size_t max, size_t *n)
{
	const char *p = list, *end;
	size_t len, i;

	while (*p != '\0') {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		while (p < end && *p == ' ')
			p++;
		len = (size_t)(end - p);
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len > 0) {
			if (len >= CDI_NAME_MAX)
				return -ENAMETOOLONG;
			for (i = 0; i < *n; i++)
				if (strlen(names[i]) == len && memcmp(names[i], p, len) == 0)
					break;
			if (i == *n) {
				if (*n >= max)
					return -E2BIG;
				memcpy(names[*n], p, len);
				names[*n][len] = '\0';
				(*n)++;
			}
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

/*
 * cdi_requests: into NAMES, once each, the devices CONFIG asks for: the
 * values (comma lists of vendor.com/class=name) of its annotations
 * "cdi.k8s.io/...", and of its process variable CDI_DEVICES when ENV_ON
 * (node.conf [gpu] cdi-devices-env).
 *
 * A container containerd's CRI made (its annotation CDI_CRI_MARK, which
 * the CRI sets on every container and sandbox and a pod cannot take away)
 * asks for nothing here: its environment is the pod author's and the
 * image's, a "cdi.k8s.io/" annotation can reach its config.json only
 * through containerd's pod_annotations (the pod author's again), and what
 * the kubelet asked for containerd has applied already.  Such a request,
 * and CDI_DEVICES while ENV_ON is off, is refused: -EPERM, why in ERR.
 * -E2BIG: more than MAX names; -ENAMETOOLONG: a name too long.
 */
int cdi_requests(json_t *config, int env_on, char names[][CDI_NAME_MAX], size_t max, size_t *n,
		 char *err, size_t errsz)
{
	json_t *annotations = json_object_get(config, "annotations"), *v;
	const size_t elen = strlen(CDI_ENV);
	const char *key, *s;
	char a[80], b[80];
	int cri = json_object_get(annotations, CDI_CRI_MARK) != NULL, rc;
	size_t i;

	*n = 0;
	json_object_foreach(annotations, key, v) {
		s = json_string_value(v);
		if (strncmp(key, CDI_ANNOTATION, strlen(CDI_ANNOTATION)) != 0 || s == NULL || !names_in(s))
			continue;
		if (cri) {
			err_fail(err, errsz, "a Kubernetes container asks for devices by its annotation %s (%s): "
				 "refused: a pod's annotation is never a device request; " CRI_WAY,
				 shown(key, a, sizeof(a)), shown(s, b, sizeof(b)));
			return -EPERM;
		}
		if ((rc = add_names(s, names, max, n)) < 0)
			return rc;
	}
	json_array_foreach(json_object_get(json_object_get(config, "process"), "env"), i, v) {
		s = json_string_value(v);
		if (s == NULL || strncmp(s, CDI_ENV, elen) != 0 || s[elen] != '=' || !names_in(s + elen + 1))
			continue;
		if (cri) {
			err_fail(err, errsz, "a Kubernetes container asks for devices by its environment (%s): "
				 "refused: a pod's environment is never a device request; " CRI_WAY,
				 shown(s, a, sizeof(a)));
			return -EPERM;
		}
		if (!env_on) {
			err_fail(err, errsz, "the container asks for devices by its environment (%s): refused: "
				 "CDI_DEVICES is off on this node (node.conf [gpu] cdi-devices-env); ask by an "
				 "annotation cdi.k8s.io/NAME (ctr run --annotation)", shown(s, a, sizeof(a)));
			return -EPERM;
		}
		if ((rc = add_names(s + elen + 1, names, max, n)) < 0)
			return rc;
	}
	return 0;
}
