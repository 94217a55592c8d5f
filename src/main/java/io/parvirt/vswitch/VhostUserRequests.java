package io.parvirt.vswitch;

import io.parvirt.vhost.DirtyLog;
import io.parvirt.vhost.GuestMemory;
import io.parvirt.vhost.Posix;
import io.parvirt.vhost.VhostUser;
import io.parvirt.vhost.Virtqueue;
import java.lang.foreign.MemorySegment;

/**
 * What the back end does for each vhost-user request (layouts in {@link VhostUser}). Runs on the
 * session's thread; everything the data path reads is changed on the switch loop. A request the
 * back end cannot honour answers false (a REPLY_ACK failure when QEMU asked for one) and leaves
 * the port as it was.
 */
final class VhostUserRequests {
    private VhostUserRequests() {
    }

    /** The requests that answer with their own reply (so never with REPLY_ACK's). */
    static boolean answers(int req) {
        return req == VhostUser.GET_FEATURES || req == VhostUser.GET_PROTOCOL_FEATURES
                || req == VhostUser.GET_VRING_BASE || req == VhostUser.GET_QUEUE_NUM || req == VhostUser.SET_LOG_BASE
                || req == VhostUser.GET_MAX_MEM_SLOTS;
    }

    static boolean handle(VhostUserSession s, VhostUserPort p, int req, MemorySegment m) {
        long size = m.byteSize();
        switch (req) {
            case VhostUser.GET_FEATURES:
                return s.channel().reply(req, VhostNet.FEATURES);
            case VhostUser.GET_PROTOCOL_FEATURES:
                return s.channel().reply(req, VhostNet.PROTOCOL_FEATURES);
            case VhostUser.GET_QUEUE_NUM:
                return s.channel().reply(req, 1);
            case VhostUser.SET_PROTOCOL_FEATURES:
                if (size < 8) {
                    return false;
                }
                s.protocolFeatures(m.get(VhostUser.U64, 0) & VhostNet.PROTOCOL_FEATURES);
                return true;
            case VhostUser.SET_FEATURES:
                return size >= 8 && features(s, p, m.get(VhostUser.U64, 0));
            case VhostUser.SET_OWNER:
                return true;
            case VhostUser.RESET_OWNER:
                return s.onLoop(() -> {
                    p.forget();
                    return true;
                });
            case VhostUser.SET_MEM_TABLE:
                return memTable(s, p, m);
            case VhostUser.GET_MAX_MEM_SLOTS:
                return s.channel().reply(req, GuestMemory.MAX_REGIONS);
            case VhostUser.ADD_MEM_REG:
                return addRegion(s, p, m);
            case VhostUser.REM_MEM_REG:
                Posix.close(s.channel().takeFd(0)); // none is due; one sent anyway is closed unused, as the protocol says
                return size >= 40 && removeRegion(s, p, m.get(VhostUser.U64, 8), m.get(VhostUser.U64, 16),
                        m.get(VhostUser.U64, 24));
            case VhostUser.SET_LOG_BASE:
                return logBase(s, p, m);
            case VhostUser.SET_LOG_FD:
                // Optional: an eventfd to tell QEMU the log changed. QEMU reads the log at each sync
                // of its own and sends none; one sent is closed unused.
                Posix.close(s.channel().takeFd(0));
                return true;
            case VhostUser.SEND_RARP:
                if (size < 6) {
                    return false;
                }
                long mac = 0;
                for (int i = 0; i < 6; i++) {
                    mac = mac << 8 | (m.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) & 0xff);
                }
                long announced = mac;
                return s.onLoop(() -> p.announce(announced));
            case VhostUser.SET_VRING_NUM:
            case VhostUser.SET_VRING_BASE:
            case VhostUser.SET_VRING_ENABLE:
            case VhostUser.GET_VRING_BASE:
                return size >= 8 && state(s, p, req, m.get(VhostUser.U32, 0), m.get(VhostUser.U32, 4));
            case VhostUser.SET_VRING_ADDR:
                return size >= 40 && address(s, p, m);
            case VhostUser.SET_VRING_KICK:
            case VhostUser.SET_VRING_CALL:
            case VhostUser.SET_VRING_ERR:
                return size >= 8 && eventFd(s, p, req, m.get(VhostUser.U64, 0));
            default:
                return false; // the rest: features this back end does not offer
        }
    }

    private static boolean features(VhostUserSession s, VhostUserPort p, long f) {
        if ((f & ~VhostNet.FEATURES) != 0) {
            return false;
        }
        return s.onLoop(() -> {
            boolean v1 = VhostUser.has(f, VhostUser.F_VERSION_1);
            p.mergeable = VhostUser.has(f, VhostNet.NET_F_MRG_RXBUF);
            p.headerSize = v1 || p.mergeable ? NetHeader.SIZE : NetHeader.LEGACY_SIZE;
            p.guestOffloads = (f & VhostNet.GUEST_OFFLOADS) == VhostNet.GUEST_OFFLOADS;
            p.rx.eventIdx = VhostUser.has(f, VhostUser.RING_F_EVENT_IDX);
            p.tx.eventIdx = p.rx.eventIdx;
            p.logAll = VhostUser.has(f, VhostUser.F_LOG_ALL);
            p.logging();
            if (!VhostUser.has(f, VhostUser.F_PROTOCOL_FEATURES)) {
                // Without protocol features a ring is enabled as soon as it is started (its kick).
                p.rx.enabled = true;
                p.tx.enabled = true;
            }
            return true;
        });
    }

    /**
     * Maps the new regions before the loop switches to them, and unmaps the old ones after: a
     * frame in flight never finds its memory gone. The descriptors are closed once mapped.
     */
    private static boolean memTable(VhostUserSession s, VhostUserPort p, MemorySegment m) {
        GuestMemory mem = s.channel().memoryTable(m);
        if (mem == null) {
            return false;
        }
        return s.onLoop(() -> {
            if (p.closed) {
                mem.close();
                return false;
            }
            GuestMemory old = p.memory;
            p.memory = mem;
            p.rx.resolve(mem);
            p.tx.resolve(mem);
            if (old != null) {
                old.close();
            }
            return true;
        });
    }

    /**
     * ADD_MEM_REG: one more region (hot-plugged memory, or with CONFIGURE_MEM_SLOTS every region),
     * mapped here and added on the loop; the rings are looked up again, as after SET_MEM_TABLE.
     */
    private static boolean addRegion(VhostUserSession s, VhostUserPort p, MemorySegment m) {
        int fd = s.channel().takeFd(0);
        if (m.byteSize() < 40) {
            Posix.close(fd);
            return false;
        }
        long gpa = m.get(VhostUser.U64, 8);
        long bytes = m.get(VhostUser.U64, 16);
        long uva = m.get(VhostUser.U64, 24);
        long offset = m.get(VhostUser.U64, 32);
        MemorySegment mapped = GuestMemory.map(gpa, bytes, uva, offset, fd);
        Posix.close(fd);
        if (mapped == null) {
            return false;
        }
        return s.onLoop(() -> {
            if (p.closed) {
                Posix.munmap(mapped);
                return false;
            }
            if (p.memory == null) {
                p.memory = new GuestMemory();
            }
            if (!p.memory.insert(gpa, bytes, uva, offset, mapped)) {
                return false;
            }
            p.rx.resolve(p.memory);
            p.tx.resolve(p.memory);
            return true;
        });
    }

    /**
     * REM_MEM_REG: the region leaves the loop's memory first (a ring inside it stops: its queue no
     * longer resolves), and is unmapped here after, so no frame in flight finds it gone.
     */
    private static boolean removeRegion(VhostUserSession s, VhostUserPort p, long gpa, long bytes, long uva) {
        MemorySegment gone = s.onLoop(() -> {
            MemorySegment g = p.memory == null ? null : p.memory.remove(gpa, bytes, uva);
            if (g != null) {
                p.rx.resolve(p.memory);
                p.tx.resolve(p.memory);
            }
            return g;
        });
        if (gone == null) {
            return false;
        }
        Posix.munmap(gone);
        return true;
    }

    /**
     * SET_LOG_BASE (with LOG_SHMFD): maps the dirty log and answers with an empty reply, which QEMU
     * waits for. A log that cannot be mapped ends the connection: answering would let the migration
     * go on without the switch's writes in it, and the target would get stale pages.
     */
    private static boolean logBase(VhostUserSession s, VhostUserPort p, MemorySegment m) {
        int fd = s.channel().takeFd(0);
        if (!VhostUser.has(s.protocolFeatures(), VhostUser.PROTOCOL_F_LOG_SHMFD) || m.byteSize() < 16) {
            Posix.close(fd);
            return false; // a log in QEMU's own memory (no LOG_SHMFD) is the kernel's way, not offered
        }
        long bytes = m.get(VhostUser.U64, 0);
        long offset = m.get(VhostUser.U64, 8);
        DirtyLog log = DirtyLog.map(fd, bytes, offset);
        Posix.close(fd);
        if (log == null) {
            throw new IllegalStateException("cannot map the dirty log (" + bytes + " bytes at " + offset + ")");
        }
        boolean taken = s.onLoop(() -> {
            if (p.closed) {
                log.close();
                return false;
            }
            DirtyLog old = p.dirtyLog;
            p.dirtyLog = log;
            p.logging();
            if (old != null) {
                old.close();
            }
            return true;
        });
        return taken && s.channel().replyEmpty(VhostUser.SET_LOG_BASE);
    }

    private static boolean state(VhostUserSession s, VhostUserPort p, int req, int index, int num) {
        if (index != VhostNet.RX && index != VhostNet.TX) {
            return false;
        }
        Virtqueue q = index == VhostNet.RX ? p.rx : p.tx;
        return switch (req) {
            case VhostUser.SET_VRING_NUM -> s.onLoop(() -> {
                q.stop();
                q.num = num;
                return num > 0 && num <= Virtqueue.MAX_SIZE && (num & (num - 1)) == 0;
            });
            case VhostUser.SET_VRING_BASE -> s.onLoop(() -> {
                q.lastAvail = num & 0xffff;
                return true;
            });
            case VhostUser.SET_VRING_ENABLE -> s.onLoop(() -> {
                q.enabled = num == 1;
                return true;
            });
            default -> { // GET_VRING_BASE: the queue stops; QEMU resumes it from the base returned
                int base = s.onLoop(() -> {
                    q.stop();
                    q.enabled = false;
                    return q.lastAvail;
                });
                s.kick(index, -1);
                yield s.channel().replyState(req, index, base);
            }
        };
    }

    private static boolean address(VhostUserSession s, VhostUserPort p, MemorySegment m) {
        int index = m.get(VhostUser.U32, 0);
        if (index != VhostNet.RX && index != VhostNet.TX) {
            return false;
        }
        Virtqueue q = index == VhostNet.RX ? p.rx : p.tx;
        boolean logged = (m.get(VhostUser.U32, 4) & (1 << VhostUser.VRING_F_LOG)) != 0;
        long desc = m.get(VhostUser.U64, 8);
        long used = m.get(VhostUser.U64, 16);
        long avail = m.get(VhostUser.U64, 24);
        long logAddr = m.get(VhostUser.U64, 32);
        return s.onLoop(() -> {
            q.descAddr = desc;
            q.usedAddr = used;
            q.availAddr = avail;
            q.usedLogAddr = logged ? logAddr : -1;
            p.logging();
            return q.resolve(p.memory);
        });
    }

    private static boolean eventFd(VhostUserSession s, VhostUserPort p, int req, long v) {
        int index = (int) (v & 0xff);
        int fd = (v & VhostUser.VRING_NOFD) != 0 ? -1 : s.channel().takeFd(0);
        if (index != VhostNet.RX && index != VhostNet.TX) {
            Posix.close(fd);
            return false;
        }
        Virtqueue q = index == VhostNet.RX ? p.rx : p.tx;
        switch (req) {
            case VhostUser.SET_VRING_KICK -> {
                s.kick(index, fd);
                s.onLoop(() -> {
                    if (q.num > 0 && p.memory != null) {
                        q.resolve(p.memory); // a restarted ring reads its used index afresh
                    }
                    return true;
                });
            }
            case VhostUser.SET_VRING_CALL -> s.onLoop(() -> {
                Posix.close(q.callFd);
                q.callFd = fd;
                return true;
            });
            default -> Posix.close(fd); // errors are QEMU's to report; the switch counts its own drops
        }
        return true;
    }
}
