# tests/vm/lying-disk.py: an nbdkit Python plugin (nbdkit-python-plugin(3))
# for update_readback.sh: the disk image file=FILE, read and written as
# it is, except that while the file lie=FLAG exists, a read covering byte
# at=OFFSET returns that byte inverted, and says so on stderr.
import os
import sys

API_VERSION = 2
conf = {}


def config(key, value):
    conf[key] = value


def config_complete():
    for k in ("file", "lie", "at"):
        if k not in conf:
            raise RuntimeError("lying-disk.py: %s= is needed" % k)
    conf["at"] = int(conf["at"])


def open(readonly):
    return os.open(conf["file"], os.O_RDONLY if readonly else os.O_RDWR)


def close(h):
    os.close(h)


def get_size(h):
    return os.fstat(h).st_size


def can_flush(h):
    return True


def pread(h, buf, offset, flags):
    data = bytearray(os.pread(h, len(buf), offset))
    at = conf["at"]
    if offset <= at < offset + len(buf) and os.path.exists(conf["lie"]):
        data[at - offset] ^= 0xFF
        print("lying-disk: lied at %d" % at, file=sys.stderr, flush=True)
    buf[:] = data


def pwrite(h, buf, offset, flags):
    os.pwrite(h, buf, offset)


def flush(h, flags):
    os.fsync(h)
