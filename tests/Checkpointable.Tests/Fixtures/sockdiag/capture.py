#!/usr/bin/env python3
"""Records NETLINK_SOCK_DIAG replies for the parser tests (run as root for the packet case).

Creates known sockets in this process, sends the same dump requests SockDiagClient sends, keeps only the
reply messages of those sockets (their bytes exactly as the kernel sent them) plus the closing NLMSG_DONE,
and writes them as one datagram per line in <case>.hex. What each holds is written by hand in <case>.txt.
Usage: python3 capture.py OUTDIR
"""
import os, socket, struct, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else '.'
NLMSG_HDR = '=IHHII'


def request(body, attrs=b'', seq=1):
    hdr = struct.pack(NLMSG_HDR, 16 + len(body) + len(attrs), 20, 0x301, seq, 0)
    return hdr + body + attrs


def dump(body, attrs=b''):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4)
    s.sendto(request(body, attrs), (0, 0))
    msgs = []
    while True:
        d = s.recv(1 << 20)
        off, done = 0, False
        while off < len(d):
            length, typ = struct.unpack_from('=IH', d, off)
            msgs.append((typ, d[off:off + length]))
            if typ in (2, 3):
                done = True
            off += (length + 3) & ~3
        if done:
            break
    s.close()
    return msgs


def pad(m):
    return m + b'\0' * (((len(m) + 3) & ~3) - len(m))


def keep(msgs, inode_of, inodes):
    picked = [m for t, m in msgs if t == 20 and inode_of(m) in inodes]
    ctl = [m for t, m in msgs if t in (2, 3)]
    return b''.join(pad(m) for m in picked + ctl)


def write(name, datagrams, notes):
    with open(os.path.join(OUT, name + '.hex'), 'w') as f:
        f.write('# one datagram per line, hex; see %s.txt\n' % name)
        for d in datagrams:
            f.write(d.hex() + '\n')
    print(name, notes)


ino = lambda s: os.fstat(s.fileno()).st_ino

# unix
path = '/tmp/sockdiag-fixture.sock'
if os.path.exists(path):
    os.unlink(path)
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
a.send(b'xyz')
b.shutdown(socket.SHUT_WR)
lst = socket.socket(socket.AF_UNIX); lst.bind(path); lst.listen(4)
cli = socket.socket(socket.AF_UNIX); cli.connect(path)
abst = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); abst.bind('\0sockdiag-fixture\0x'); abst.listen(1)
dg = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
want = {ino(s): n for s, n in [(a, 'pair-a'), (b, 'pair-b'), (lst, 'listener'), (cli, 'client'), (abst, 'abstract'), (dg, 'dgram')]}
body = struct.pack('=BBHIII', 1, 0, 0, 0xffffffff, 0, 0x1f) + b'\0' * 8
msgs = dump(body)
write('unix', [keep(msgs, lambda m: struct.unpack_from('=I', m, 20)[0], want)], want)
st = os.stat(path)
print('  listener vfs ino', st.st_ino, 'dev', st.st_dev)

# tcp / udp
l4 = socket.socket(); l4.bind(('127.0.0.1', 0)); l4.listen(4)
c4 = socket.create_connection(l4.getsockname())
b4 = socket.socket(); b4.bind(('127.0.0.1', 0))
l6 = socket.socket(socket.AF_INET6); l6.bind(('::1', 0)); l6.listen(4)
u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u4.bind(('127.0.0.1', 0))
want = {ino(s): (n, s.getsockname()) for s, n in [(l4, 'listen4'), (c4, 'client4'), (b4, 'bound4'), (l6, 'listen6'), (u4, 'udp4')]}
inet_ino = lambda m: struct.unpack_from('=I', m, 16 + 68)[0]
def inet_req(fam, proto):
    return struct.pack('=BBBBI', fam, proto, 0, 0, 0xffffffff) + b'\0' * 48
write('tcp4', [keep(dump(inet_req(2, 6)), inet_ino, want)], want)
write('tcp6', [keep(dump(inet_req(10, 6)), inet_ino, want)], want)
write('udp4', [keep(dump(inet_req(2, 17)), inet_ino, want)], want)
write('raw4-unsupported', [b''.join(pad(m) for t, m in dump(inet_req(2, 255), struct.pack('=HHI', 8, 3, 255)))], 'raw')

# an NLMSG_ERROR: sdiag_family >= AF_MAX is refused with EINVAL before any dump starts
write('error-einval', [b''.join(pad(m) for t, m in dump(struct.pack('=BBHIII', 99, 0, 0, 0, 0, 0) + b'\0' * 8))], 'einval')

# netlink
n1 = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0); n1.bind((0, 1))
n2 = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0); n2.setsockopt(270, 1, 33)
n3 = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
n3.send(struct.pack('=IHHIIBxxx', 20, 18, 0x301, 1, 0, 0))
want = {ino(s): n for s, n in [(n1, 'route-link'), (n2, 'route-33'), (n3, 'route-unread')]}
body = struct.pack('=BBHII', 16, 255, 0, 0, 3) + b'\0' * 8
write('netlink', [keep(dump(body), lambda m: struct.unpack_from('=I', m, 16 + 16)[0], want)], want)
print('  portids', n1.getsockname(), n3.getsockname())

# packet (root only)
if os.geteuid() == 0:
    p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    mreq = struct.pack('=iHH8s', 1, 1, 0, b'')  # ifindex 1 (lo), PACKET_MR_PROMISC
    p.setsockopt(263, 1, mreq)
    p.setsockopt(263, 1, mreq)  # twice: pdmc_count 2
    q = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0806))
    want = {ino(s): n for s, n in [(p, 'raw-all'), (q, 'dgram-arp')]}
    body = struct.pack('=BBHII', 17, 0, 0, 0, 3) + b'\0' * 8
    write('packet', [keep(dump(body), lambda m: struct.unpack_from('=I', m, 16 + 4)[0], want)], want)
