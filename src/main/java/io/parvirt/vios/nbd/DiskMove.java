package io.parvirt.vios.nbd;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;

/**
 * A served device on its way to another file while its clients go on (issue 19, disk migration
 * between storage pools): the server copies the device in the background and mirrors every write
 * its clients make to both files; the host daemon then commits the new place and the export is
 * served from it.
 *
 * <pre>
 *   COPYING ──(every data extent copied, target synced)──► SYNCED ──finish──► COMMITTED ──(export re-served on the target)
 *      │                                                      │
 *      └── cancel / a target write fails / the export stops ──┴──► CANCELLED or FAILED: target deleted, the source served as before
 * </pre>
 *
 * <p><b>Why it is consistent.</b> The target starts as a sparse file of the device's size (all
 * holes, reading zeros). From then on every client write, TRIM that punched a hole and
 * WRITE_ZEROES is applied to the target too, after the source, in the same request, which holds
 * the device's I/O lock shared. The copier takes that lock exclusively for each chunk it copies,
 * so a chunk is copied either wholly before or wholly after any request: a range of the target is
 * either never touched (zeros, like the source's holes it skipped) or equal to the source. The
 * copy reads only the source's data extents ({@code SEEK_DATA}/{@code SEEK_HOLE}, found once at the
 * start: holes written later arrive by the mirror) and moves them with {@code transferTo}, which
 * the JDK does with {@code copy_file_range} between files (no copy through user space).
 *
 * <p><b>Failures stay on the target's side</b> until the move is committed: a mirrored write that
 * fails (the target's file system full) fails the move, not the client's request, and the source
 * is served on. Once {@link #finish} committed it the target is the disk of record, so a failed
 * write to it is the client's I/O error. Nothing of a move survives the server: a server killed
 * mid-copy leaves a partial target that the host daemon deletes, and the source as it was.
 */
public final class DiskMove {
    public enum State { COPYING, SYNCED, COMMITTED, CANCELLED, FAILED }

    /** One chunk is copied while the clients' requests wait: 1 MiB from the page cache is about a millisecond. */
    static final int CHUNK = 1 << 20;

    private final String export;
    private final Path source;
    private final Path target;
    private final Lock pause;
    private final FileChannel in;
    private final FileChannel out;
    private final Fallocate holes;
    private final List<DataExtents.Extent> extents;
    private final long total;
    private final long bytesPerSecond;
    private final AtomicLong copied = new AtomicLong();
    private final Thread copier;
    private volatile State state = State.COPYING;
    private volatile String reason = "";
    private boolean discarded;

    private DiskMove(String export, Path source, Path target, Lock pause, FileChannel in, FileChannel out,
            List<DataExtents.Extent> extents, long bytesPerSecond) {
        this.export = export;
        this.source = source;
        this.target = target;
        this.pause = pause;
        this.in = in;
        this.out = out;
        this.holes = Fallocate.open(target);
        this.extents = extents;
        this.total = extents.stream().mapToLong(DataExtents.Extent::length).sum();
        this.bytesPerSecond = bytesPerSecond;
        this.copier = Thread.ofPlatform().daemon().name("nbd-move-" + export).unstarted(this::run);
    }

    /**
     * Makes the (new) target file, sparse, of {@code size} bytes, and starts copying {@code source}
     * into it, at most {@code bytesPerSecond} (0: as fast as it goes; a cap leaves the clients' I/O
     * more of the disk, as QEMU's mirror {@code speed} does).
     */
    static DiskMove start(String export, Path source, Path target, long size, Lock pause, long bytesPerSecond)
            throws IOException {
        if (Files.exists(target)) {
            throw new IOException("the target file " + target + " exists");
        }
        try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
            f.setLength(size);
        }
        FileChannel in = null;
        FileChannel out = null;
        try {
            List<DataExtents.Extent> extents = DataExtents.of(source, size);
            in = FileChannel.open(source, StandardOpenOption.READ);
            out = FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE);
            DiskMove m = new DiskMove(export, source, target, pause, in, out, extents, bytesPerSecond);
            m.copier.start();
            return m;
        } catch (IOException | RuntimeException e) {
            for (FileChannel ch : new FileChannel[] {in, out}) {
                if (ch != null) {
                    ch.close();
                }
            }
            Files.deleteIfExists(target);
            throw e;
        }
    }

    public State state() {
        return state;
    }

    /** Why the move failed or was cancelled (empty otherwise). */
    public String reason() {
        return reason;
    }

    /** Bytes of the source's data copied, of {@link #totalBytes()}. */
    public long copiedBytes() {
        return copied.get();
    }

    public long totalBytes() {
        return total;
    }

    public Path target() {
        return target;
    }

    /** Whether client writes still go to the target as well. */
    boolean mirroring() {
        State s = state;
        return s == State.COPYING || s == State.SYNCED || s == State.COMMITTED;
    }

    // --- the mirror (called by a request holding the device's I/O lock shared, after the source took it)

    /** The bytes a client wrote at {@code offset}; 0, or after the commit the client's error. */
    int write(ByteBuffer src, long offset) {
        try {
            for (long at = offset; src.hasRemaining(); ) {
                at += out.write(src, at);
            }
            return 0;
        } catch (IOException e) {
            return failed("writing the target failed: " + e.getMessage());
        }
    }

    /** The range now reads as zeros on the source (a hole, zeroed or written zeros): the same on the target. */
    int zero(long offset, long length) {
        if (holes.punchHole(offset, length) == Fallocate.Result.DONE
                || holes.zeroRange(offset, length) == Fallocate.Result.DONE) {
            return 0;
        }
        ByteBuffer z = ByteBuffer.allocate((int) Math.min(CHUNK, length));
        for (long at = offset; at < offset + length; at += z.capacity()) {
            z.clear().limit((int) Math.min(z.capacity(), offset + length - at));
            int e = write(z, at);
            if (e != 0) {
                return e;
            }
        }
        return 0;
    }

    int sync() {
        try {
            out.force(false);
            return 0;
        } catch (IOException e) {
            return failed("syncing the target failed: " + e.getMessage());
        }
    }

    private int failed(String why) {
        synchronized (this) {
            if (state == State.COMMITTED) {
                return Protocol.EIO; // the target is the disk now
            }
            if (state == State.COPYING || state == State.SYNCED) {
                reason = why;
                state = State.FAILED;
                notifyAll(); // the copier thread discards the target
            }
        }
        return 0;
    }

    // --- the copier ---------------------------------------------------------------------------

    private void run() {
        long started = System.nanoTime();
        try {
            for (DataExtents.Extent e : extents) {
                long end = e.offset() + e.length();
                for (long at = e.offset(); at < end; at += CHUNK) {
                    if (state != State.COPYING) {
                        break;
                    }
                    long n = Math.min(CHUNK, end - at);
                    pause.lock(); // no client request in progress: the chunk is one point of their sequence
                    try {
                        for (long done = 0; done < n; ) {
                            out.position(at + done);
                            long got = in.transferTo(at + done, n - done, out);
                            if (got <= 0) {
                                throw new IOException("the source ended at " + (at + done));
                            }
                            done += got;
                        }
                    } finally {
                        pause.unlock();
                    }
                    throttle(started, copied.addAndGet(n));
                }
            }
            out.force(false);
            synchronized (this) {
                if (state == State.COPYING) {
                    state = State.SYNCED;
                    notifyAll();
                }
                while (state == State.SYNCED) {
                    wait();
                }
            }
        } catch (IOException e) {
            failed("copying failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (state != State.COMMITTED) {
            discard();
        }
    }

    private void throttle(long started, long done) throws InterruptedException {
        if (bytesPerSecond <= 0) {
            return;
        }
        long due = started + (long) (done * 1e9 / bytesPerSecond);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            synchronized (this) {
                if (state == State.COPYING) {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, wait); // a cancel wakes it
                }
            }
        }
    }

    /**
     * The daemon commits the move: the target is complete and synced, and from here on it is the
     * disk (mirror failures are the client's). False when the move is not synced (yet, or any more).
     */
    boolean finish() throws IOException {
        pause.lock();
        try {
            synchronized (this) {
                if (state != State.SYNCED) {
                    return false;
                }
                out.force(false);
                state = State.COMMITTED;
                notifyAll();
                return true;
            }
        } finally {
            pause.unlock();
        }
    }

    /** Stops the move and deletes the target; the source is served as before. False once committed. */
    boolean cancel(String why) {
        synchronized (this) {
            if (state == State.COMMITTED) {
                return false;
            }
            if (state == State.COPYING || state == State.SYNCED) {
                reason = why;
                state = State.CANCELLED;
                notifyAll();
            }
        }
        try {
            copier.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /** The export stops (re-served elsewhere, withdrawn, the server stopping): a committed target is kept, synced. */
    void close() {
        if (state == State.COMMITTED) {
            sync();
            closeChannels();
        } else {
            cancel("the export " + export + " stopped being served");
        }
    }

    /** Removes the target, under the I/O lock so that no mirrored write is in progress. */
    private void discard() {
        pause.lock();
        try {
            synchronized (this) {
                if (discarded) {
                    return;
                }
                discarded = true;
            }
            closeChannels();
            Files.deleteIfExists(target);
        } catch (IOException e) {
            // the host daemon removes a stray target too
        } finally {
            pause.unlock();
        }
    }

    private void closeChannels() {
        holes.close();
        try {
            in.close();
            out.close();
        } catch (IOException e) {
            // nothing more is written through them
        }
    }

    @Override
    public String toString() {
        return "move of " + export + " from " + source + " to " + target + ": " + state + " " + copied + "/" + total;
    }
}
