/*
 * kube.c: the kubernetes profile's files (node.conf(5), [kubernetes]):
 * the bootstrap kubeconfig kubelet joins with (the API server, the
 * cluster CA, the bootstrap token) and kubelet's own configuration
 * (KubeletConfiguration v1beta1) for containerd's CRI socket.  kubelet
 * turns the bootstrap token into a client certificate through the
 * cluster's CSR approval (TLS bootstrapping) and writes its kubeconfig
 * itself.  Every value here was checked by nodeconf.c, so it is written
 * as it is: no YAML quoting is needed for a URL, a token, base64 or a path.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "profile/kube.h"

/* base64 of the CA PEM, on one line, as kubeconfig's certificate-authority-data wants. */
static int b64_line(FILE *out, const char *data, size_t len)
{
	unsigned char buf[4 * 48 / 3 + 4];
	size_t i;

	for (i = 0; i < len; i += 48) {
		size_t n = len - i < 48 ? len - i : 48;
		int w = EVP_EncodeBlock(buf, (const unsigned char *)data + i, (int)n);

		if (w < 0 || fwrite(buf, 1, (size_t)w, out) != (size_t)w)
			return -EIO;
	}
	return 0;
}

/* kube_bootstrap_kubeconfig: what kubelet's --bootstrap-kubeconfig reads (a secret: the token). */
int kube_bootstrap_kubeconfig(FILE *out, const struct nodeconf *c, const char *ca_pem, size_t ca_len)
{
	fprintf(out,
		"# Written by cairn-agent from the node config: kubelet's bootstrap credentials.\n"
		"apiVersion: v1\n"
		"kind: Config\n"
		"clusters:\n"
		"- name: cluster\n"
		"  cluster:\n"
		"    server: %s\n"
		"    certificate-authority-data: ",
		c->kube_server);
	if (b64_line(out, ca_pem, ca_len) < 0)
		return -EIO;
	fprintf(out,
		"\n"
		"users:\n"
		"- name: kubelet-bootstrap\n"
		"  user:\n"
		"    token: %s\n"
		"contexts:\n"
		"- name: bootstrap\n"
		"  context:\n"
		"    cluster: cluster\n"
		"    user: kubelet-bootstrap\n"
		"current-context: bootstrap\n",
		c->kube_token);
	return ferror(out) ? -EIO : 0;
}

/*
 * kube_kubelet_config: KubeletConfiguration.  No systemd on Cairn, so the
 * cgroup driver is cgroupfs (containerd's runc must match: its config
 * says SystemdCgroup = false).  Clients of kubelet's own API need a
 * certificate from the cluster CA; anonymous access is off.
 */
int kube_kubelet_config(FILE *out, const struct kube_paths *p)
{
	fprintf(out,
		"# Written by cairn-agent from the node config.\n"
		"apiVersion: kubelet.config.k8s.io/v1beta1\n"
		"kind: KubeletConfiguration\n"
		"authentication:\n"
		"  anonymous:\n"
		"    enabled: false\n"
		"  webhook:\n"
		"    enabled: true\n"
		"  x509:\n"
		"    clientCAFile: %s\n"
		"authorization:\n"
		"  mode: Webhook\n"
		"cgroupDriver: cgroupfs\n"
		"containerRuntimeEndpoint: unix://%s\n"
		"rotateCertificates: true\n"
		"serverTLSBootstrap: true\n"
		"readOnlyPort: 0\n"
		"protectKernelDefaults: true\n"
		"staticPodPath: \"\"\n",
		p->ca, p->cri_socket);
	return ferror(out) ? -EIO : 0;
}

/* kube_kubelet_args: kubelet's command line, argv[0] included, NULL-ended. */
int kube_kubelet_args(const struct nodeconf *c, const struct kube_paths *p, char **argv, size_t max)
{
	static char a_prog[300], a_boot[300], a_kc[300], a_cfg[300], a_host[100], a_root[300];
	size_t n = 0;

	if (max < 8)
		return -E2BIG;
	snprintf(a_boot, sizeof a_boot, "--bootstrap-kubeconfig=%s", p->bootstrap);
	snprintf(a_kc, sizeof a_kc, "--kubeconfig=%s", p->kubeconfig);
	snprintf(a_cfg, sizeof a_cfg, "--config=%s", p->config);
	snprintf(a_root, sizeof a_root, "--root-dir=%s", p->root_dir);
	snprintf(a_prog, sizeof a_prog, "%s", p->kubelet);
	argv[n++] = a_prog;
	argv[n++] = a_boot;
	argv[n++] = a_kc;
	argv[n++] = a_cfg;
	argv[n++] = a_root;
	if (c->hostname[0] != '\0') {
		snprintf(a_host, sizeof a_host, "--hostname-override=%s", c->hostname);
		argv[n++] = a_host;
	}
	argv[n] = NULL;
	return (int)n;
}
