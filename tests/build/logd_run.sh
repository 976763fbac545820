#!/bin/sh
# logd built for the host and driven as initd drives it: pipes handed over a
# SOCK_SEQPACKET socket on fd 0 end up as stamped, rotated files and as
# RFC 5424 datagrams on loopback; bad packets are told and ignored; EOF on
# fd 0 and SIGTERM drain the pipes and exit 0.
. "$(dirname "$0")/testlib"

command -v cc >/dev/null 2>&1 || { echo "no cc on this host"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "no python3 on this host"; exit 77; }
python3 -c 'import socket; socket.send_fds' 2>/dev/null ||
	{ echo "python3 has no socket.send_fds (3.9+)"; exit 77; }

# LOGD=path tests a logd already built (the image's static musl one) instead.
src="initd/logd.c initd/logfile.c initd/syslogfwd.c initd/svcfile.c initd/svcvalue.c
	initd/boottime.c lib/log.c lib/text.c lib/kv.c"
cflags="-std=c11 -D_GNU_SOURCE -Ilib -Iinitd -Wall -Wextra -g"
# Under ASan+UBSan where the compiler has them; plain otherwise.
if [ -n "${LOGD:-}" ]; then
	cp "$LOGD" "$tmp/logd"
else
	# shellcheck disable=SC2086
	cc $cflags -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
		-o "$tmp/logd" $src 2>"$tmp/cc.log" ||
		cc $cflags -O2 -o "$tmp/logd" $src || fail "logd does not build for the host"
fi
export ASAN_OPTIONS=detect_leaks=0

# Bad usage: a line of usage and exit 100, before fd 0 is looked at.
usage() {
	set +e
	"$tmp/logd" "$@" </dev/null >"$tmp/usage" 2>&1
	rc=$?
	set -e
	[ "$rc" -eq 100 ] || { cat "$tmp/usage" >&2; fail "logd $* exited $rc, not 100"; }
	expect_line "$tmp/usage" "usage: logd [-s SIZE] [-n COUNT] [-r ADDR:PORT] DIR"
}
usage
usage "$tmp/a" "$tmp/b"
usage -x "$tmp/log"
usage -s 10x "$tmp/log"
usage -s 0 "$tmp/log"
usage -n 1001 "$tmp/log"
usage -n -1 "$tmp/log"
usage -r localhost:514 "$tmp/log"
usage -r 127.0.0.1 "$tmp/log"
usage -r '[::1]:99999' "$tmp/log"
usage -s 64k -n 3 -r '[::1]:514' "$tmp/log"	# good options, but fd 0 is no socket
expect_line "$tmp/usage" "logd: fd 0: not a SOCK_SEQPACKET socket"
[ ! -e "$tmp/log" ] || fail "logd made its directory before its arguments were checked"

python3 - "$tmp/logd" "$tmp" <<'EOF'
import os, re, signal, socket, stat, subprocess, sys, time

LOGD, TMP = sys.argv[1], sys.argv[2]
STAMP = rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def wait_for(cond, what, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.02)
    fail("timed out waiting for " + what)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def lines_of(path):
    """The lines of a log file, each checked to start with a stamp."""
    out = []
    for rec in read(path).split(b"\n")[:-1]:
        m = re.fullmatch(STAMP + rb" (.*)", rec, re.S)
        if not m:
            fail("%s: not a stamped line: %r" % (path, rec))
        out.append(m.group(1))
    return out


def closed_by_logd(w):
    """True once nobody reads the pipe that w writes: logd closed its end."""
    try:
        os.write(w, b"x")
        return False
    except BrokenPipeError:
        return True


class Logd:
    def __init__(self, args, logdir, tag):
        self.sock, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.errpath = os.path.join(TMP, tag + ".stderr")
        with open(self.errpath, "wb") as err:
            self.proc = subprocess.Popen([LOGD] + args + [logdir], stdin=child,
                                         stdout=err, stderr=err)
        child.close()
        self.dir = logdir
        self.held = {}

    def stderr(self):
        return read(self.errpath).decode(errors="replace")

    def told(self, text):
        wait_for(lambda: text in self.stderr(), "logd to say %r; it said:\n%s" % (text, self.stderr()))

    def send(self, data, fds=()):
        if fds:
            socket.send_fds(self.sock, [data], list(fds))
        else:
            self.sock.send(data)

    def service(self, name):
        """A pipe for service name, handed to logd; like initd, keep the read end."""
        r, w = os.pipe()
        self.send(b"add " + name.encode(), [r])
        self.held[name] = r
        return w

    def log(self, name):
        return os.path.join(self.dir, name + ".log")

    def wait_line(self, name, text):
        wait_for(lambda: text in read(self.log(name)),
                 "%r in %s.log; logd said:\n%s" % (text, name, self.stderr()))

    def exit_code(self, timeout=30):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("logd did not exit; it said:\n" + self.stderr())


# ---- lines into files, and onto UDP ---------------------------------------
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 0))
port = udp.getsockname()[1]
logdir = os.path.join(TMP, "log")		# not there: logd makes it
d = Logd(["-s", "400", "-n", "2", "-r", "127.0.0.1:%d" % port], logdir, "main")

web = d.service("web")
db = d.service("db")
os.write(web, b"hello from web\n")
os.write(db, b"db one\n")
os.write(web, b"par")
d.wait_line("web", b"hello from web")
os.write(web, b"tial\tline\x01\x1b[31m\n")
d.wait_line("web", b"partial")
d.wait_line("db", b"db one")
if lines_of(d.log("web")) != [b"hello from web", b"partial\tline??[31m"]:
    fail("web.log: %r" % read(d.log("web")))
if stat.S_IMODE(os.stat(logdir).st_mode) != 0o750:
    fail("log dir mode %o" % os.stat(logdir).st_mode)
if stat.S_IMODE(os.stat(d.log("web")).st_mode) != 0o640:
    fail("web.log mode %o" % os.stat(d.log("web")).st_mode)

# ---- bad packets: told on stderr, ignored, their fds closed ----------------
d.send(b"frob web")
r, w = os.pipe()
d.send(b"add ../x", [r])
os.close(r)
d.send(b"add lonely")
r2, w2 = os.pipe()
d.send(b"add two", [r2, w2])
os.close(r2)
r3, w3 = os.pipe()
d.send(b"del web", [r3])
os.close(r3)
d.send(b"add Web\n")
d.send(b"x" * 300)
d.told("logd: packet 'frob web': unknown verb")
d.told("logd: packet 'add ../x': bad service name")
d.told("logd: packet 'add lonely': no fd attached")
d.told("logd: packet 'add two': more than one fd attached")
d.told("logd: packet 'del web': del takes no fd")
d.told("logd: packet 'add Web?': bad service name")
d.told("logd: packet '" + "x" * 64 + "': too long")
for fd in (w, w2, w3):
    wait_for(lambda: closed_by_logd(fd), "logd to close the fd of a bad packet")
for name in ("x.log", "../x.log", "lonely.log", "two.log"):
    if os.path.exists(os.path.join(logdir, name)):
        fail(name + " made by a bad packet")
os.write(web, b"still here\n")
d.wait_line("web", b"still here")

# ---- a second add replaces the pipe: the old one is drained, then closed ---
os.write(web, b"old pipe tail\n")
old_r, old_w = d.held["web"], web
web = d.service("web")
os.write(web, b"new pipe line\n")
d.wait_line("web", b"new pipe line")
os.close(old_r)
wait_for(lambda: closed_by_logd(old_w), "logd to close the replaced pipe")
if lines_of(d.log("web"))[-2:] != [b"old pipe tail", b"new pipe line"]:
    fail("web.log after a second add: %r" % read(d.log("web")))

# ---- rotation: 37-byte records, 400-byte files, 2 kept ---------------------
os.write(db, b"".join(b"db line %03d\n" % i for i in range(60)))
d.wait_line("db", b"db line 059")
if os.path.exists(d.log("db") + ".3"):
    fail("db.log.3 kept with -n 2")
for suffix in ("", ".1", ".2"):
    size = os.path.getsize(d.log("db") + suffix)
    if size > 400:
        fail("db.log%s is %d bytes, over -s 400" % (suffix, size))
kept = lines_of(d.log("db") + ".2") + lines_of(d.log("db") + ".1") + lines_of(d.log("db"))
if kept != [b"db line %03d" % i for i in range(39, 60)]:
    fail("rotated db lines: %r" % kept)

# ---- del: drained, then closed ---------------------------------------------
gone = d.service("gone")
os.write(gone, b"last words\n")
d.send(b"del gone")
os.close(d.held.pop("gone"))
wait_for(lambda: closed_by_logd(gone), "logd to close a deleted service's pipe")
d.wait_line("gone", b"last words")
d.send(b"del never-added")		# not held: no error, nothing said
os.write(web, b"after del\n")
d.wait_line("web", b"after del")
if "never-added" in d.stderr():
    fail("del of a service not held was refused:\n" + d.stderr())

# ---- a pipe whose writers are gone: its partial line, then closed ----------
short = d.service("short")
os.write(short, b"partial at eof")
os.close(short)
d.wait_line("short", b"partial at eof")

# ---- a write that fails drops the line, is told, and stops nothing ---------
target = os.path.join(TMP, "target")
open(target, "wb").close()
os.symlink(target, d.log("evil"))
evil = d.service("evil")
os.write(evil, b"to the symlink\n")
d.told("logd: evil: open: ")	# then ELOOP's text, which libcs word differently
d.told(": 1 line dropped")
if read(target) != b"":
    fail("logd wrote through a symlink")
os.write(web, b"despite evil\n")
d.wait_line("web", b"despite evil")

# ---- 256 services at most -------------------------------------------------
# held now: web, db, evil
extra = [d.service("s%03d" % i) for i in range(256 - 3)]
last = d.service("s999")
d.told("logd: add s999: 256 services held already")
os.close(d.held.pop("s999"))
wait_for(lambda: closed_by_logd(last), "logd to close a refused pipe")
os.write(extra[0], b"one of many\n")
d.wait_line("s000", b"one of many")
for i, w in enumerate(extra):
    d.send(b"del s%03d" % i)
    os.close(w)

# ---- the datagrams ---------------------------------------------------------
host = re.escape(os.uname().nodename.encode())
want = [rb"<30>1 " + STAMP + rb" " + host + rb" web - - - hello from web",
        rb"<30>1 " + STAMP + rb" " + host + rb" web - - - partial\tline\?\?\[31m",
        rb"<30>1 " + STAMP + rb" " + host + rb" db - - - db line 059"]
got = []
udp.settimeout(30)
try:
    while want:
        pkt, src = udp.recvfrom(8192)
        got.append(pkt)
        want = [w for w in want if not re.fullmatch(w, pkt)]
except socket.timeout:
    fail("datagrams missing: %r\nreceived: %r" % (want, got[:10]))

# ---- EOF on fd 0: every pipe drained, partial lines written, exit 0 ---------
os.write(db, b"no newline at end")
r, w = os.pipe()
os.write(w, b"late\n")
d.send(b"add late", [r])
d.sock.close()
rc = d.exit_code()
if rc != 0:
    fail("logd exited %d at EOF; it said:\n%s" % (rc, d.stderr()))
if lines_of(d.log("db"))[-1] != b"no newline at end":
    fail("partial line not written at EOF: %r" % read(d.log("db")))
if lines_of(d.log("late")) != [b"late"]:
    fail("a pipe handed over just before EOF was not drained")

# ---- SIGTERM: the same ------------------------------------------------------
t = Logd([], os.path.join(TMP, "log2"), "term")
svc = t.service("svc")
os.write(svc, b"first\n")
t.wait_line("svc", b"first")
os.write(svc, b"second\nthird, partial")
t.proc.send_signal(signal.SIGTERM)
rc = t.exit_code()
if rc != 0:
    fail("logd exited %d at SIGTERM; it said:\n%s" % (rc, t.stderr()))
if lines_of(t.log("svc")) != [b"first", b"second", b"third, partial"]:
    fail("after SIGTERM, svc.log: %r" % read(t.log("svc")))
if t.stderr() != "":
    fail("a quiet run said:\n" + t.stderr())
print("main logd said:\n" + d.stderr())
EOF
