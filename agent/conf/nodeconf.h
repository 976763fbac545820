/* nodeconf.h: the node config (doc/node-config.md): everything a node
 * needs to join its cluster, in one `key = value` file with sections. */
#ifndef CAIRN_NODECONF_H
#define CAIRN_NODECONF_H

#include <stddef.h>
#include <stdio.h>

#define NC_FILE_MAX 65536
#define NC_NET_MAX 8
#define NC_ADDR_MAX 4
#define NC_LIST_MAX 4
#define NC_BOND_MAX 8
#define NC_IFNAME 16		/* IFNAMSIZ */
#define NC_HOST 254		/* a DNS name's longest text, + NUL */
#define NC_PATH 256
#define NC_PEM_MAX 16384
#define NC_SECRET_MAX 1024	/* MUNGE's longest key */
#define NC_API_LISTEN "[::]:7443"	/* the control API's default address */
#define NC_HEALTH_TIMEOUT 300		/* seconds a new OS has to become healthy */
#define NC_MAX_UNSURE 1800		/* seconds the clock may stay unsure (clock.c) */

enum nc_profile { NC_STANDALONE, NC_SLURM, NC_KUBERNETES };
enum nc_match { NC_MATCH_NONE, NC_MATCH_MAC, NC_MATCH_PCI, NC_MATCH_NAME };

struct nc_net {
	char name[NC_IFNAME];
	enum nc_match match;
	char match_value[32];		/* lower-case MAC, PCI address, or a kernel name */
	int dhcp;			/* -1: not said (yes when no address) */
	char addr[NC_ADDR_MAX][50];	/* ADDRESS/PREFIX, v4 or v6 */
	int naddr;
	char gateway4[16], gateway6[46];
	unsigned mtu;			/* 0: the kernel's */
	char bond[NC_BOND_MAX][NC_IFNAME];
	int nbond;
	char bond_mode[16];
	char vlan_parent[NC_IFNAME];
	unsigned vlan_id;
};

struct nodeconf {
	char hostname[64];
	enum nc_profile profile;
	struct nc_net net[NC_NET_MAX];
	int nnet;
	char dns[3][46];
	int ndns;
	char search[NC_HOST];
	char ntp[NC_LIST_MAX][NC_HOST];
	int nntp;
	unsigned max_unsure;		/* [time]: seconds before an unsure clock fails health */
	char ca_file[NC_PATH];
	char ca_pem[NC_PEM_MAX];	/* inline PEM, or "" */
	char image_dirs[NC_LIST_MAX][NC_PATH];
	int nimage_dirs;
	unsigned gpu_count;		/* 0: not checked */
	char gpu_model[128];
	int cdi_env;			/* [gpu] cdi-devices-env: CDI_DEVICES asks for devices */
	char slurm_controller[NC_HOST + 6];
	unsigned char munge_key[NC_SECRET_MAX];	/* secret */
	size_t munge_key_len;
	char munge_key_file[NC_PATH];
	int slurm_static;		/* dynamic = no: the controller's slurm.conf lists the node */
	char slurm_features[128];	/* a dynamic node's Feature=, comma-separated */
	char kube_server[NC_HOST + 16];
	char kube_token[24];		/* secret */
	int api;			/* an [api] section: the control API is on */
	char api_listen[64];		/* ADDRESS:PORT */
	char api_cert[NC_PATH];		/* the node's certificate (PEM) */
	char api_key[NC_PATH];		/* its private key: a file, never inline */
	char api_client_ca[NC_PATH];	/* the operators' own CA (PEM), never [trust]'s */
	char api_crl[NC_PATH];		/* its CRL (PEM or DER); "" none */
	char api_allow[NC_PATH];	/* SHA-256 fingerprints let in; "" any of the CA's */
	unsigned health_timeout;	/* [update]: seconds a new OS has to be healthy */
	char update_repo[NC_PATH];	/* where OS updates come from: https://, or a path */
	int window_start, window_end;	/* unattended updates, minutes of the UTC day; -1: none */
};

int nodeconf_parse(struct nodeconf *c, const char *name, const char *text, size_t len,
		   char *err, size_t errsz);
int nodeconf_load(struct nodeconf *c, const char *path, char *err, size_t errsz);
int nodeconf_show(const struct nodeconf *c, FILE *out);
/* `config keys`: every key, as doc/node-config.md lists them. */
int nodeconf_keys_print(FILE *out);
const char *nodeconf_profile_name(enum nc_profile p);

#endif
