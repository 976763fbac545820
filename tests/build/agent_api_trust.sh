#!/bin/sh
# cairn-agent serve: whom the API lets in (doc/cairn-agent.md, API).
# The attacks: a certificate the cluster CA signed (as it signs any
# kubelet's, with the subject the requester chose) that names
# OU=cairn-operator; an operator revoked by [api] crl while the API runs;
# an operator of the right CA missing from [api] allow-file; a client CA
# that is the cluster's (the same key) given as [api] client-ca; a root
# the cluster CA, an intermediate, chains to given as client-ca, at start
# or while the API runs; a [trust] ca-file that cannot be read.  Each is
# refused, the CRL and allow-file read again on change, no restart; the
# operators' intermediate alone is a client CA.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/tlslib"
. "$(dirname "$0")/apilib"

# site-ca: the cluster's CA ([trust]), which signs the node's and
# kubelets' certificates.  ops-ca: the operators' own, through openssl ca
# so that it can revoke.
ca site-ca
ca ops-ca
cert node site-ca "IP:127.0.0.1"
client kubelet site-ca cairn-operator
mkdir -p "$pki/db"
: >"$pki/db/index"
echo 01 >"$pki/db/serial"
cat >"$pki/ca.cnf" <<CNF
[ca]
default_ca = ops
[ops]
database = $pki/db/index
serial = $pki/db/serial
new_certs_dir = $pki/db
certificate = $pki/ops-ca.pem
private_key = $pki/ops-ca.key
default_md = sha256
default_days = 2
default_crl_days = 2
policy = any
[any]
organizationalUnitName = optional
commonName = supplied
CNF
# operator NAME: an operator certificate from ops-ca.
operator() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/OU=cairn-operator/CN=$1" \
		-keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null || fail "openssl: request $1"
	openssl ca -batch -config "$pki/ca.cnf" -notext -in "$pki/$1.csr" -out "$pki/$1.pem" >/dev/null 2>&1 ||
		fail "openssl ca: $1"
}
operator op1
operator op2
operator op3
# crl FORM: ops-ca's CRL as it is now, put in place as a new file.
crl() {
	openssl ca -config "$pki/ca.cnf" -gencrl -out "$pki/crl.pem" 2>/dev/null || fail "openssl ca: gencrl"
	openssl crl -in "$pki/crl.pem" -outform "$1" -out "$tmp/crl.new" 2>/dev/null || fail "openssl crl"
	mv "$tmp/crl.new" "$tmp/ops.crl"
}
crl PEM
fingerprint() {
	openssl x509 -noout -fingerprint -sha256 -in "$pki/$1.pem"
}
# op1 as 64 plain hex digits with a comment, op2 as openssl prints it.
{
	echo "# the site's operators"
	echo "$(fingerprint op1 | sed 's/.*=//; s/://g' | tr A-F a-f)   # op1"
	fingerprint op2
} >"$tmp/allow"

cat >"$tmp/bin/initctl" <<'SH'
#!/bin/sh
[ "$1" = status ] && echo "containerd   up    pid 10"
SH
chmod +x "$tmp/bin/initctl"
conf() {	# CLIENT-CA: the node's config with that [api] client-ca
	cat <<CONF
[node]
hostname = trust-node
[trust]
ca-file = $pki/site-ca.pem
[api]
listen = 127.0.0.1:0
cert-file = $pki/node.pem
key-file = $pki/node.key
client-ca = $1
crl = $tmp/ops.crl
allow-file = $tmp/allow
CONF
}

# The cluster's CA as the operators': refused at start, and so is
# another certificate of the cluster CA's key.
conf "$pki/site-ca.pem" >"$tmp/same.conf"
expect_fail "$tmp/out" "$CAIRN_AGENT" serve --config "$tmp/same.conf" --user "$api_user"
expect_line "$tmp/out" "client-ca $pki/site-ca.pem: holds the [trust] CA, the cluster's"
openssl req -x509 -key "$pki/site-ca.key" -subj "/CN=not the cluster, honest" -days 2 \
	-out "$pki/lookalike.pem" 2>/dev/null || fail "openssl: lookalike"
conf "$pki/lookalike.pem" >"$tmp/lookalike.conf"
expect_fail "$tmp/out" "$CAIRN_AGENT" serve --config "$tmp/lookalike.conf" --user "$api_user"
expect_line "$tmp/out" "holds the [trust] CA, the cluster's"

conf "$pki/ops-ca.pem" >"$tmp/node.conf"
api_start "$tmp/node.conf"
pid=$server

# A kubelet-style certificate of the cluster CA naming the operator role
# (curl sends the cluster CA with it, found in its own trust store).
refused kubelet "refused: self-signed certificate in certificate chain"
must 200 op1 GET /v1/services
expect_line "$tmp/body" "containerd   up"
must 200 op2 GET /v1/services

# On the CA, not on the allow-list: refused until it is added.
refused op3 "refused: certificate $(fingerprint op3 | sed 's/.*=//') is not on [api] allow-file"
fingerprint op3 >>"$tmp/allow"
must 200 op3 GET /v1/services

# op2 revoked: a new CRL, in DER, and op2 is out; op1 is not.
openssl ca -config "$pki/ca.cnf" -revoke "$pki/op2.pem" >/dev/null 2>&1 || fail "openssl ca: revoke"
crl DER
refused op2 "refused: certificate revoked"
must 200 op1 GET /v1/services

# A CRL that does not load lets no one in, and is said; a good one again
# ends that.
echo "not a CRL" >"$tmp/crl.new"
mv "$tmp/crl.new" "$tmp/ops.crl"
refused op1 "[api] crl $tmp/ops.crl: not a CRL (PEM or DER): every client refused until it loads"
crl PEM
must 200 op1 GET /v1/services
refused op2 "refused: certificate revoked"

# Off the allow-list: op1's line gone, op1 refused.
grep -v op1 "$tmp/allow" >"$tmp/allow.new"
mv "$tmp/allow.new" "$tmp/allow"
refused op1 "is not on [api] allow-file"
must 200 op3 GET /v1/services

# All of it on the one server, which read the files again each time.
kill -0 "$pid" || fail "the API is gone"
[ "$(grep -c '^api: listening on' "$tmp/log")" = 1 ] || fail "the API restarted"
expect_line "$tmp/log" "api: [api] client-ca, crl and allow-file read again"
api_stop

# One root over the cluster's CA and the operators': the cluster CA
# signs a kubelet-style certificate naming the operator role, sent with
# its chain as curl sends it.
# subca NAME PARENT: an intermediate CA under PARENT.
subca() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
		-keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null || fail "openssl: request $1"
	echo "basicConstraints=critical,CA:TRUE" >"$pki/$1.ext"
	openssl x509 -req -in "$pki/$1.csr" -CA "$pki/$2.pem" -CAkey "$pki/$2.key" -CAcreateserial \
		-days 2 -extfile "$pki/$1.ext" -out "$pki/$1.pem" 2>/dev/null || fail "openssl: sign $1"
}
ca site-root
subca cluster-int site-root
subca ops-int site-root
client kube-op cluster-int cairn-operator
cat "$pki/cluster-int.pem" >>"$pki/kube-op.pem"
client op-int ops-int cairn-operator
plain() {	# CLIENT-CA TRUST-CA: a config with no CRL and no allow-file
	conf "$1" | sed "s|^ca-file = .*|ca-file = $2|; /^crl = /d; /^allow-file = /d"
}
# serve_fails CONF: it must refuse to start (bounded, so that a server
# that starts anyway fails the test instead of running on).
serve_fails() {
	expect_fail "$tmp/out" timeout 10 "$CAIRN_AGENT" serve --config "$1" --user "$api_user"
}
# The root as the client CA: refused at start, both CAs named.
plain "$pki/site-root.pem" "$pki/cluster-int.pem" >"$tmp/root.conf"
serve_fails "$tmp/root.conf"
expect_line "$tmp/out" "client-ca $pki/site-root.pem: the [trust] CA /CN=cluster-int ([trust] ca-file $pki/cluster-int.pem) chains to it"
# A [trust] ca-file that cannot be read, or holds no certificate: no start.
plain "$pki/ops-int.pem" "$tmp/no-such.pem" >"$tmp/nofile.conf"
serve_fails "$tmp/nofile.conf"
expect_line "$tmp/out" "[trust] ca-file $tmp/no-such.pem: No such file or directory"
echo "not a certificate" >"$tmp/junk.pem"
plain "$pki/ops-int.pem" "$tmp/junk.pem" >"$tmp/junk.conf"
serve_fails "$tmp/junk.conf"
expect_line "$tmp/out" "[trust] ca-file $tmp/junk.pem: no PEM certificate in it"

# The operators' intermediate alone: its operators in, the cluster's kubelet not.
cp "$pki/ops-int.pem" "$tmp/client-ca.pem"
plain "$tmp/client-ca.pem" "$pki/cluster-int.pem" >"$tmp/int.conf"
api_start "$tmp/int.conf"
must 200 op-int GET /v1/services
refused kube-op "refused: unable to get"
# The root put in while it runs: every client refused, said once, until
# the intermediate is back.
cp "$pki/site-root.pem" "$tmp/client-ca.new"
mv "$tmp/client-ca.new" "$tmp/client-ca.pem"
refused kube-op "client-ca $tmp/client-ca.pem: the [trust] CA /CN=cluster-int ([trust] ca-file $pki/cluster-int.pem) chains to it"
refused op-int "refused: [api] client-ca $tmp/client-ca.pem: the [trust] CA"
[ "$(grep -c 'chains to it.*every client refused until it loads' "$tmp/log")" = 1 ] || fail "the refusal not said once"
cp "$pki/ops-int.pem" "$tmp/client-ca.new"
mv "$tmp/client-ca.new" "$tmp/client-ca.pem"
must 200 op-int GET /v1/services
refused kube-op "refused: unable to get"
api_stop
echo "agent api trust: the cluster CA's operator certificate refused; a client CA of the cluster's key, or a root the cluster CA chains to (at start or put in while running), refused; an unreadable [trust] ca-file refused at start; an intermediate alone is a client CA; revoked (PEM, DER) and unlisted operators refused without a restart; a broken CRL refuses all"
