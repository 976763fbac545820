/* kube.h: the kubernetes profile's kubelet files (node.conf(5), [kubernetes]). */
#ifndef CAIRN_KUBE_H
#define CAIRN_KUBE_H

#include <stddef.h>
#include <stdio.h>

#include "conf/nodeconf.h"

struct kube_paths {
	const char *kubelet;		/* /usr/bin/kubelet */
	const char *bootstrap;		/* the bootstrap kubeconfig (0600) */
	const char *kubeconfig;		/* what kubelet writes once it has its certificate */
	const char *config;		/* the KubeletConfiguration */
	const char *ca;			/* the cluster CA, PEM */
	const char *root_dir;		/* kubelet's state: /var/lib/kubelet */
	const char *cri_socket;		/* containerd's */
};

int kube_bootstrap_kubeconfig(FILE *out, const struct nodeconf *c, const char *ca_pem, size_t ca_len);
int kube_kubelet_config(FILE *out, const struct kube_paths *p);
int kube_kubelet_args(const struct nodeconf *c, const struct kube_paths *p, char **argv, size_t max);

#endif
