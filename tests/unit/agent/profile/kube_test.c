/* kube_test: the kubernetes profile's rendered files (no kubelet can be
 * had here, so this is where they are checked): the bootstrap kubeconfig
 * carries the server, the CA whole and the token; kubelet's config points
 * at containerd's CRI socket with cgroupfs and no anonymous access. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "check.h"
#include "profile/kube.h"

static struct nodeconf conf;

/* A self-signed CA certificate, PEM, made here. */
static char *make_ca(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *pem;
	long n;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)"k8s-ca",
				   -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, k);
	X509_sign(x, k, EVP_sha256());
	PEM_write_bio_X509(b, x);
	n = BIO_get_mem_data(b, &data);
	pem = strndup(data, (size_t)n);
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(k);
	return pem;
}

static char *render(int (*fn)(FILE *), size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	CHECK(fn(f) == 0);
	fclose(f);
	return text;
}

static char *ca_pem;
static const struct kube_paths paths = {
	"/usr/bin/kubelet", "/run/cairn/kubernetes/bootstrap-kubeconfig", "/var/lib/kubelet/kubeconfig",
	"/run/cairn/kubernetes/kubelet.yaml", "/run/cairn/kubernetes/ca.crt", "/var/lib/kubelet",
	"/run/containerd/containerd.sock",
};

static int boot(FILE *f) { return kube_bootstrap_kubeconfig(f, &conf, ca_pem, strlen(ca_pem)); }
static int kcfg(FILE *f) { return kube_kubelet_config(f, &paths); }

static void test_files(void)
{
	char text[20000], err[512], *out, *data, *end;
	unsigned char decoded[8192];
	char *args[12];
	size_t len;
	int n;

	ca_pem = make_ca();
	snprintf(text, sizeof text,
		 "[node]\nhostname = k8s-gpu-3\nprofile = kubernetes\n"
		 "[kubernetes]\nserver = https://10.0.0.1:6443/\ntoken = abcdef.0123456789abcdef\n"
		 "[trust]\nca <<END\n%sEND\n", ca_pem);
	CHECK(nodeconf_parse(&conf, "k.conf", text, strlen(text), err, sizeof err) == 0);
	if (check_failures)
		fprintf(stderr, "%s\n", err);

	out = render(boot, &len);
	CHECK(strstr(out, "kind: Config\n") != NULL);
	CHECK(strstr(out, "    server: https://10.0.0.1:6443\n") != NULL);	/* the path dropped */
	CHECK(strstr(out, "    token: abcdef.0123456789abcdef\n") != NULL);
	CHECK(strstr(out, "current-context: bootstrap\n") != NULL);
	/* The CA comes back whole from certificate-authority-data. */
	data = strstr(out, "certificate-authority-data: ");
	CHECK(data != NULL);
	if (data != NULL) {
		data += strlen("certificate-authority-data: ");
		end = strchr(data, '\n');
		n = EVP_DecodeBlock(decoded, (const unsigned char *)data, (int)(end - data));
		while (n > 0 && decoded[n - 1] == '\0')	/* EVP_DecodeBlock keeps the padding's zeros */
			n--;
		CHECK(n == (int)strlen(ca_pem) && memcmp(decoded, ca_pem, (size_t)n) == 0);
	}
	free(out);

	out = render(kcfg, &len);
	CHECK(strcmp(out,
		     "# Written by cairn-agent from the node config.\n"
		     "apiVersion: kubelet.config.k8s.io/v1beta1\n"
		     "kind: KubeletConfiguration\n"
		     "authentication:\n"
		     "  anonymous:\n"
		     "    enabled: false\n"
		     "  webhook:\n"
		     "    enabled: true\n"
		     "  x509:\n"
		     "    clientCAFile: /run/cairn/kubernetes/ca.crt\n"
		     "authorization:\n"
		     "  mode: Webhook\n"
		     "cgroupDriver: cgroupfs\n"
		     "containerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n"
		     "rotateCertificates: true\n"
		     "serverTLSBootstrap: true\n"
		     "readOnlyPort: 0\n"
		     "protectKernelDefaults: true\n"
		     "staticPodPath: \"\"\n") == 0);
	free(out);

	n = kube_kubelet_args(&conf, &paths, args, 12);
	CHECK(n == 6 && args[6] == NULL);
	CHECK(strcmp(args[0], "/usr/bin/kubelet") == 0);
	CHECK(strcmp(args[1], "--bootstrap-kubeconfig=/run/cairn/kubernetes/bootstrap-kubeconfig") == 0);
	CHECK(strcmp(args[2], "--kubeconfig=/var/lib/kubelet/kubeconfig") == 0);
	CHECK(strcmp(args[3], "--config=/run/cairn/kubernetes/kubelet.yaml") == 0);
	CHECK(strcmp(args[4], "--root-dir=/var/lib/kubelet") == 0);
	CHECK(strcmp(args[5], "--hostname-override=k8s-gpu-3") == 0);
	free(ca_pem);
}

static void test_bad_token_refused(void)
{
	static const char *const bad[] = { "ABCDEF.0123456789abcdef", "abcde.0123456789abcdef",
					   "abcdef.0123456789abcde", "abcdef-0123456789abcdef" };
	char text[512], err[512];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, "[kubernetes]\nserver = https://k8s:6443\ntoken = %s\n", bad[i]);
		CHECK(nodeconf_parse(&conf, "k.conf", text, strlen(text), err, sizeof err) < 0);
		CHECK(strstr(err, "not a bootstrap token") != NULL && strstr(err, bad[i]) == NULL);
	}
}

int main(void)
{
	RUN(test_files);
	RUN(test_bad_token_refused);
	return CHECK_DONE();
}
