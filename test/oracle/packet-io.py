#!/usr/bin/env python3
# Frame I/O for netproof's real-dataplane oracles, driven line by line over stdin/stdout (JSON).
# One process serves a whole suite: it opens raw packet sockets on interfaces of any network
# namespace (entering it with setns only to create the socket), sends a frame on one of them and
# collects what comes back on all of them until the wire is quiet, reads a namespace's IP counters,
# and empties a namespace's conntrack table and its learned neighbour entries over netlink (what
# `conntrack -F` and `ip neigh flush all` do).
# Guarantees: it never touches a namespace it was not named; every reply is one JSON line; an error
# is a reply {"error": "..."} and the process goes on.
import ctypes
import json
import os
import select
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_PACKET, PACKET_AUXDATA = 263, 8
TP_STATUS_VLAN_VALID, TP_STATUS_VLAN_TPID_VALID = 0x10, 0x40
AUX = struct.Struct('=IIIHHHH')
libc = ctypes.CDLL(None, use_errno=True)
HOME = os.open('/proc/self/ns/net', os.O_RDONLY)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), 'setns failed')


class In:
    """Runs a block inside the named network namespace (the root namespace when name is empty)."""

    def __init__(self, ns):
        self.ns = ns

    def __enter__(self):
        if self.ns:
            fd = os.open('/run/netns/' + self.ns, os.O_RDONLY)
            try:
                setns(fd)
            finally:
                os.close(fd)

    def __exit__(self, *exc):
        if self.ns:
            setns(HOME)


sockets = {}  # (ns, iface) -> socket


def listen(ns, ifaces):
    for iface in ifaces:
        if (ns, iface) in sockets:
            continue
        with In(ns):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            s.bind((iface, 0))
            # The kernel hands a received VLAN tag over beside the frame (auxdata): put it back in place.
            s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
            s.setblocking(False)
        sockets[(ns, iface)] = s
    return {'listening': len(sockets)}


def drain():
    n = 0
    while True:
        ready, _, _ = select.select(list(sockets.values()), [], [], 0)
        if not ready:
            return n
        for s in ready:
            try:
                while True:
                    s.recvfrom(65535)
                    n += 1
            except BlockingIOError:
                pass


def collect(settle_ms, max_ms):
    """Frames arriving on any socket until none came for settle_ms (at most max_ms in all)."""
    seen = []
    by_sock = {s: k for k, s in sockets.items()}
    start = time.monotonic()
    last = start
    while True:
        now = time.monotonic()
        if now - start >= max_ms / 1000 or now - last >= settle_ms / 1000:
            return seen
        wait = min(settle_ms / 1000 - (now - last), max_ms / 1000 - (now - start))
        ready, _, _ = select.select(list(sockets.values()), [], [], max(wait, 0))
        for s in ready:
            try:
                while True:
                    data, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(AUX.size))
                    if addr[2] == PACKET_OUTGOING:
                        continue
                    data = with_tag(data, anc)
                    ns, iface = by_sock[s]
                    seen.append({'ns': ns, 'iface': iface, 'frame': data.hex()})
                    last = time.monotonic()
            except BlockingIOError:
                pass


def with_tag(data, anc):
    for level, kind, body in anc:
        if level == SOL_PACKET and kind == PACKET_AUXDATA and len(body) >= AUX.size:
            status, _, _, _, _, tci, tpid = AUX.unpack(body[:AUX.size])
            if status & TP_STATUS_VLAN_VALID:
                tpid = tpid if status & TP_STATUS_VLAN_TPID_VALID else 0x8100
                return data[:12] + struct.pack('!HH', tpid, tci) + data[12:]
    return data


def send(ns, iface, frame, settle_ms, max_ms):
    drain()
    s = sockets[(ns, iface)]
    s.send(bytes.fromhex(frame))
    return {'frames': collect(settle_ms, max_ms)}


def snmp(ns):
    with In(ns):
        with open('/proc/thread-self/net/snmp') as f:
            lines = [l.split() for l in f.read().splitlines()]
    out = {}
    for i in range(0, len(lines) - 1, 2):
        head, vals = lines[i], lines[i + 1]
        for k, v in zip(head[1:], vals[1:]):
            out[head[0].rstrip(':') + '.' + k] = int(v)
    return {'counters': out}


NETLINK_NETFILTER = 12
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_DELETE = 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4


def ct_flush(ns):
    with In(ns):
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    try:
        body = struct.pack('BBH', socket.AF_INET, 0, 0)
        msg = struct.pack('=IHHII', 16 + len(body), (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE, NLM_F_REQUEST | NLM_F_ACK, 1, 0) + body
        s.send(msg)
        reply = s.recv(65535)
        err = struct.unpack('=i', reply[16:20])[0] if len(reply) >= 20 else 0
        if err != 0:
            raise OSError(-err, 'conntrack flush failed')
    finally:
        s.close()
    return {'flushed': True}


NETLINK_ROUTE = 0
RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH = 28, 29, 30
NLM_F_DUMP = 0x300
NLMSG_DONE, NLMSG_ERROR = 3, 2
NUD_NOARP, NUD_PERMANENT = 0x40, 0x80
NDA_DST = 1
NDMSG = struct.Struct('=BBHiHBB')


def neigh_flush(ns):
    """Deletes the namespace's IPv4 neighbour entries except permanent and noarp ones (ip neigh flush all),
    again until none is left: deleting an entry still resolving fails the packets queued on it, and the
    kernel answers each with an ICMP unreachable to its source, which may start resolving a neighbour anew
    (left there, that entry would hold the next packet's ARP request back until its retransmit timer)."""
    total = 0
    for _ in range(4):
        n = neigh_flush_once(ns)
        total += n
        if n == 0:
            break
    return {'flushed': total}


def neigh_flush_once(ns):
    with In(ns):
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    try:
        body = NDMSG.pack(socket.AF_INET, 0, 0, 0, 0, 0, 0)
        s.send(struct.pack('=IHHII', 16 + len(body), RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body)
        doomed = []
        done = False
        while not done:
            data = s.recv(1 << 16)
            at = 0
            while at + 16 <= len(data):
                length, kind = struct.unpack_from('=IH', data, at)
                if kind == NLMSG_DONE:
                    done = True
                    break
                if kind == RTM_NEWNEIGH:
                    _, _, _, ifindex, state, _, _ = NDMSG.unpack_from(data, at + 16)
                    attrs = data[at + 16 + NDMSG.size:at + length]
                    a = 0
                    while a + 4 <= len(attrs):
                        alen, atype = struct.unpack_from('=HH', attrs, a)
                        if atype == NDA_DST and not state & (NUD_PERMANENT | NUD_NOARP):
                            doomed.append((ifindex, attrs[a + 4:a + alen]))
                        a += (alen + 3) & ~3
                at += (length + 3) & ~3
        for ifindex, dst in doomed:
            attr = struct.pack('=HH', 4 + len(dst), NDA_DST) + dst
            body = NDMSG.pack(socket.AF_INET, 0, 0, ifindex, 0, 0, 0) + attr
            s.send(struct.pack('=IHHII', 16 + len(body), RTM_DELNEIGH, NLM_F_REQUEST | NLM_F_ACK, 2, 0) + body)
            s.recv(65535)
    finally:
        s.close()
    return len(doomed)


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            op = req['op']
            if op == 'listen':
                rep = listen(req['ns'], req['ifaces'])
            elif op == 'send':
                rep = send(req['ns'], req['iface'], req['frame'], req.get('settle_ms', 4), req.get('max_ms', 80))
            elif op == 'collect':
                rep = {'frames': collect(req.get('settle_ms', 4), req.get('max_ms', 80))}
            elif op == 'drain':
                rep = {'drained': drain()}
            elif op == 'snmp':
                rep = snmp(req['ns'])
            elif op == 'ct_flush':
                rep = ct_flush(req['ns'])
            elif op == 'neigh_flush':
                rep = neigh_flush(req['ns'])
            elif op == 'exit':
                break
            else:
                rep = {'error': 'unknown op ' + op}
        except Exception as e:  # one bad request must not end the session
            rep = {'error': '%s: %s' % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(rep) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
