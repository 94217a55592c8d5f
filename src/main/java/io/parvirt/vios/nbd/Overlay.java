package io.parvirt.vios.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A backing device with snapshots: copy-on-write layers of parvirt's own over the device's file,
 * for pools on file systems without reflinks (ext4). The file stays where it is and is frozen
 * when the first snapshot is taken (the base); each snapshot freezes the writable top and puts an
 * empty {@link Layer} over it; a read takes each block from the highest layer that has it.
 * Everything lives in {@code .NAME.snap/} beside the file (a dot name no device can have):
 *
 * <pre>
 *  NAME (base, frozen)  ◄── L1 (frozen: snapshot "a" is base)  ◄── L2 (frozen: "b" is base+L1)  ◄── L3 (top, written)
 *                                                                  ▲
 *  after "revert a":    ◄── L4 (new top over the base)              │ L2 stays for "b": the layers form a tree
 * </pre>
 *
 * <p><b>Taking a snapshot</b> pauses the export's I/O ({@link #io} is the read side of a lock the
 * snapshot takes for writing) only for: the top's flush (data, then its changed bitmap pages),
 * and the atomic rewrite of the small {@code chain} file. The new layer's files are made (sparse)
 * before the pause. Nothing in it grows with the disk's size; it grows with what was written and
 * not yet flushed.
 *
 * <p><b>Deleting a snapshot</b> only drops its name from the chain (atomically), then
 * {@link #settle()} merges the boundary it leaves: a layer that no snapshot names and that has one
 * child is merged into that child (the child keeps its own blocks and takes the parent's others;
 * cost: the parent's written blocks), or, for the base, the child (if frozen) is merged into the
 * base file. Every state still named reads the same during the merge, because the layer being
 * filled is only ever read through the one it is copied from. The merged layer is flushed before
 * the chain stops naming the other, and files are deleted last, so a crash at any point leaves a
 * chain that reads correctly and a merge that {@link #open} finishes (copying again is harmless).
 *
 * <p>Writes to the top take {@link #allocation} only for blocks the top does not have yet (the
 * first write to a block in a layer): a write that covers part of such a block copies the rest up
 * from below first, and a merge into the live top copies only blocks the top lacks, so neither may
 * interleave with a first write. Once a block is in the top, writes to it take no lock.
 *
 * <p><b>Linked clones</b> ({@link LinkedClones#link}): a device whose {@code .NAME.snap/origin}
 * names another device and one of its snapshots reads, below its own layers, that device's layers
 * of the snapshot's path and its base file (read-only), in place of its own file (an empty sparse
 * file of the size, never read). The source runs on: a snapshot's layers are frozen, and the
 * source's merges keep what every named snapshot reads (files are only deleted once nothing names
 * them, and an open one stays readable), so the clone's path is resolved by the snapshot's name at
 * each open. Deleting the snapshot a clone reads through is refused
 * ({@link LinkedClones#linkedClones}). A clone's own snapshots work as any device's; it is never
 * merged into its own file.
 */
public final class Overlay implements AutoCloseable {
    static final int PAUSE_WAIT_SECONDS = 10;
    private final Path base;
    private final Path dir;
    private final boolean writable;
    private final ReentrantReadWriteLock pause = new ReentrantReadWriteLock();
    private final Lock allocation = new ReentrantLock();
    private final ByteBuffer block = ByteBuffer.allocateDirect(Layer.BLOCK);
    private final Map<Integer, Layer> layers = new HashMap<>();
    private final long size;
    private volatile OverlayChain chain; // null: a plain file
    private volatile Layer[] path; // top first, the base last
    private Fallocate topHoles = Fallocate.none();
    /** A linked clone's source layers at its snapshot, top first, the source's base file last; else empty. */
    private final List<Layer> origin = new ArrayList<>();
    /** The device's move to another file, mirrored while it runs; the last one stays for its status. */
    private volatile DiskMove move;

    private Overlay(Path base, boolean writable, long size) {
        this.base = base;
        this.dir = dirOf(base);
        this.writable = writable;
        this.size = size;
    }

    /** {@code .NAME.snap/} beside the device's file: its layers; it goes with the device. */
    public static Path dirOf(Path backing) {
        return backing.toAbsolutePath().getParent().resolve("." + backing.getFileName() + ".snap");
    }

    /** Whether {@code backing} has snapshots (a chain beside it). */
    public static boolean hasChain(Path backing) {
        return Files.isRegularFile(dirOf(backing).resolve(OverlayChain.FILE));
    }

    /**
     * Opens a backing device, with its layers if it has snapshots, and finishes any merge a crash
     * interrupted. A writable overlay with no snapshot left and a top of its own is merged back
     * into a plain file here, when no client is connected yet.
     */
    public static Overlay open(Path backing, boolean writable) throws IOException {
        long size;
        try (FileChannel ch = FileChannel.open(backing)) {
            size = ch.size();
        }
        Overlay o = new Overlay(backing, writable, size);
        Optional<OverlayChain> c = OverlayChain.read(o.dir);
        o.layers.put(0, Layer.base(backing, writable));
        try {
            o.openOrigin();
        } catch (IOException e) {
            o.layers.get(0).close();
            for (Layer l : o.origin) {
                l.close();
            }
            throw e;
        }
        if (c.isEmpty()) {
            o.path = new Layer[] {o.layers.get(0)};
            return o;
        }
        if (c.get().size() != size) {
            o.close();
            throw new IOException(backing + ": size " + size + " differs from its snapshots' " + c.get().size());
        }
        for (int id : c.get().parents().keySet()) {
            o.layers.put(id, Layer.open(o.dir, id, size));
        }
        o.install(c.get());
        o.removeStrays();
        if (writable) {
            o.settle();
            o.flattenIfUnnamed();
        }
        return o;
    }

    // --- linked clones (issue 19) -----------------------------------------------------------------

    private void openOrigin() throws IOException {
        Optional<LinkedClones.Origin> o = LinkedClones.originOf(base);
        if (o.isPresent()) {
            origin.addAll(LinkedClones.layersOf(o.get(), size));
        }
    }

    /** The lock every request holds (shared) while it runs; a snapshot or revert takes it exclusively. */
    public Lock io() {
        return pause.readLock();
    }

    /** No snapshots: the client's I/O goes to the file as without overlays. */
    public boolean isPlain() {
        return chain == null;
    }

    public long size() {
        return size;
    }

    public List<OverlayChain.Snapshot> snapshots() {
        OverlayChain c = chain;
        return c == null ? List.of() : List.copyOf(c.snapshots().values());
    }

    // --- moving the device to another file (issue 19) ---------------------------------------------

    /**
     * Starts copying the device to {@code target} while its clients go on ({@link DiskMove}). Only a
     * device without snapshots moves: its layers would have to move with it, which a chain's
     * directory beside the file does not do yet; the host daemon refuses those first.
     */
    public synchronized DiskMove startMove(String export, Path target, long bytesPerSecond) throws IOException {
        requireWritable();
        if (!isPlain()) {
            throw new IllegalStateException("a device with snapshots does not move; delete its snapshots first");
        }
        DiskMove m = move;
        if (m != null && m.mirroring()) {
            throw new IllegalStateException("the device is already being moved to " + m.target()
                    + (m.state() == DiskMove.State.COMMITTED ? " (committed: to be served from there)" : ""));
        }
        // no request between finding the source's data and mirroring its writes: a write into a
        // hole found empty there would reach neither the copy nor the target
        try {
            if (!pause.writeLock().tryLock(PAUSE_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IOException("the disk's I/O did not pause within " + PAUSE_WAIT_SECONDS + " s; not moved");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted; not moved");
        }
        try {
            move = DiskMove.start(export, base, target, size, pause.writeLock(), bytesPerSecond);
        } finally {
            pause.writeLock().unlock();
        }
        return move;
    }

    /** The device's move in progress or the last one (null: none since it was opened). */
    public DiskMove move() {
        return move;
    }

    /** The move whose target client writes go to as well, or null. */
    DiskMove mirror() {
        DiskMove m = move;
        return m != null && m.mirroring() ? m : null;
    }

    private void requireNotMoving() {
        if (mirror() != null) {
            throw new IllegalStateException("the device is being moved to another storage pool");
        }
    }

    // --- the data path (callers hold io()) --------------------------------------------------------

    /** Fills {@code dst} from the disk at {@code offset}, each block from the highest layer that has it; 0 or EIO. */
    public int read(ByteBuffer dst, long offset) {
        Layer[] p = path;
        int limit = dst.limit();
        long pos = offset;
        long end = offset + dst.remaining();
        try {
            while (pos < end) {
                Layer src = sourceOf(p, pos >>> Layer.SHIFT);
                long runEnd = runEnd(p, src, pos, end);
                dst.limit(dst.position() + (int) (runEnd - pos));
                if (!readFully(src.data, dst, pos)) {
                    return Protocol.EIO;
                }
                pos = runEnd;
            }
            return 0;
        } catch (IOException e) {
            return Protocol.EIO;
        } finally {
            dst.limit(limit);
        }
    }

    /** Where a read finds its bytes: {@code length} bytes at {@code pos} of one layer's data file (or the base file). */
    interface Source {
        /** False stops the walk. */
        boolean take(FileChannel file, long pos, long length) throws IOException;
    }

    /**
     * Walks the range's runs of blocks held by one layer, in order, each from the highest layer that
     * has it, for a read that does not go through a buffer of ours (sendfile). A block no layer has
     * comes from the bottom file, where it is a hole (zeros) or the base's own data. False as soon as
     * {@code source} returns false.
     */
    public boolean sources(long offset, long length, Source source) throws IOException {
        Layer[] p = path;
        long end = offset + length;
        for (long pos = offset; pos < end; ) {
            Layer src = sourceOf(p, pos >>> Layer.SHIFT);
            long runEnd = runEnd(p, src, pos, end);
            if (!source.take(src.data, pos, runEnd - pos)) {
                return false;
            }
            pos = runEnd;
        }
        return true;
    }

    /** The end of the run from {@code pos} whose blocks all come from {@code src}. */
    private static long runEnd(Layer[] p, Layer src, long pos, long end) {
        long runEnd = Math.min(end, ((pos >>> Layer.SHIFT) + 1) << Layer.SHIFT);
        while (runEnd < end && sourceOf(p, runEnd >>> Layer.SHIFT) == src) {
            runEnd = Math.min(end, runEnd + Layer.BLOCK);
        }
        return runEnd;
    }

    /** Writes {@code src} to the top at {@code offset}, copying up the rest of any block it starts in the top; 0, EIO or ENOSPC. */
    public int write(ByteBuffer src, long offset) {
        try {
            Layer top = path[0];
            long pos = offset;
            long end = offset + src.remaining();
            int limit = src.limit();
            while (pos < end) {
                long b = pos >>> Layer.SHIFT;
                long blockEnd = Math.min((b + 1) << Layer.SHIFT, size);
                boolean partial = pos > b << Layer.SHIFT || end < blockEnd;
                long runEnd = partial ? Math.min(end, blockEnd) : Math.max(b << Layer.SHIFT, (end >>> Layer.SHIFT) << Layer.SHIFT);
                if (runEnd <= pos) {
                    runEnd = Math.min(end, blockEnd); // a last block shorter than BLOCK, written whole
                }
                src.limit(src.position() + (int) (runEnd - pos));
                writeRun(top, src, pos, runEnd, partial);
                src.limit(limit);
                pos = runEnd;
            }
            return 0;
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            return m.contains("No space left") || m.contains("quota") ? Protocol.ENOSPC : Protocol.EIO;
        }
    }

    private void writeRun(Layer top, ByteBuffer src, long pos, long runEnd, boolean partial) throws IOException {
        long first = pos >>> Layer.SHIFT;
        long last = (runEnd - 1) >>> Layer.SHIFT;
        if (allPresent(top, first, last)) {
            writeFully(top.data, src, pos);
            return;
        }
        allocation.lock();
        try {
            if (partial && !top.has(first)) {
                copyUp(top, first);
            }
            writeFully(top.data, src, pos);
            top.mark(first, last + 1);
        } finally {
            allocation.unlock();
        }
    }

    /** Zeroes a range in the top: whole blocks become holes (or written zeros), part blocks are written. */
    public int zero(long offset, long length) {
        long end = offset + length;
        long firstWhole = Math.min(end, ((offset + Layer.BLOCK - 1) >>> Layer.SHIFT) << Layer.SHIFT);
        long lastWhole = Math.max(firstWhole, (end >>> Layer.SHIFT) << Layer.SHIFT);
        if (end == size) {
            lastWhole = end;
        }
        int e = writeZeros(offset, firstWhole);
        if (e == 0 && lastWhole > firstWhole) {
            Layer top = path[0];
            allocation.lock();
            try {
                if (topHoles.punchHole(firstWhole, lastWhole - firstWhole) != Fallocate.Result.DONE) {
                    e = writeZeros(firstWhole, lastWhole);
                }
                top.mark(firstWhole >>> Layer.SHIFT, (lastWhole + Layer.BLOCK - 1) >>> Layer.SHIFT);
            } finally {
                allocation.unlock();
            }
        }
        return e != 0 ? e : writeZeros(lastWhole, end);
    }

    private int writeZeros(long from, long to) {
        if (from >= to) {
            return 0;
        }
        ByteBuffer z = ByteBuffer.allocateDirect((int) Math.min(1 << 20, Math.max(0, to - from)));
        for (long at = from; at < to; at += z.capacity()) {
            z.clear().limit((int) Math.min(z.capacity(), to - at));
            int e = write(z, at);
            if (e != 0) {
                return e;
            }
        }
        return 0;
    }

    /** Makes every completed write durable: the top's data, then its bitmap. */
    public int flush() {
        try {
            path[0].flush();
            return 0;
        } catch (IOException e) {
            return Protocol.EIO;
        }
    }

    private void copyUp(Layer top, long b) throws IOException {
        long at = b << Layer.SHIFT;
        block.clear().limit((int) Math.min(Layer.BLOCK, size - at));
        if (read(block, at) != 0) {
            throw new IOException("copy-up read of block " + b + " failed");
        }
        block.flip();
        writeFully(top.data, block, at);
    }

    private static boolean allPresent(Layer l, long first, long last) {
        for (long b = first; b <= last; b++) {
            if (!l.has(b)) {
                return false;
            }
        }
        return true;
    }

    private static Layer sourceOf(Layer[] p, long b) {
        for (Layer l : p) {
            if (l.has(b)) {
                return l;
            }
        }
        return p[p.length - 1];
    }

    // --- snapshots --------------------------------------------------------------------------------

    /**
     * Takes snapshot {@code name}: the disk as it is now, frozen; the client's I/O waits only while
     * the top is flushed and the chain replaced. Returns how long it waited, in nanoseconds.
     */
    public synchronized long snapshot(String name, long createdMillis) throws IOException {
        requireWritable();
        requireNotMoving();
        if (!OverlayChain.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("snapshot name must be 1-64 of A-Z a-z 0-9 . _ - and not start with . or -: " + name);
        }
        OverlayChain c = chain;
        if (c != null && c.snapshots().containsKey(name)) {
            throw new IllegalArgumentException("snapshot " + name + " exists");
        }
        Files.createDirectories(dir);
        int id = c == null ? 1 : c.nextId();
        Layer.create(dir, id, size);
        Layer fresh = Layer.open(dir, id, size);
        // a first flush while the client goes on: the one in the pause then finds little left to sync
        path[0].flush();
        long start;
        long paused;
        if (!pauseFor(fresh)) {
            throw new IOException("the disk's I/O did not pause within " + PAUSE_WAIT_SECONDS + " s; no snapshot taken");
        }
        try {
            start = System.nanoTime();
            OverlayChain now = chain;
            int below = now == null ? 0 : now.top();
            path[0].flush();
            Map<Integer, Integer> parents = new LinkedHashMap<>(now == null ? Map.of() : now.parents());
            parents.put(id, below);
            Map<String, OverlayChain.Snapshot> snaps = new LinkedHashMap<>(now == null ? Map.of() : now.snapshots());
            snaps.put(name, new OverlayChain.Snapshot(name, below, createdMillis));
            OverlayChain next = new OverlayChain(size, parents, id, snaps);
            next.write(dir);
            layers.put(id, fresh);
            install(next);
            paused = System.nanoTime() - start;
        } catch (IOException | RuntimeException e) {
            fresh.delete();
            throw e;
        } finally {
            pause.writeLock().unlock();
        }
        return paused;
    }

    /**
     * The disk goes back to snapshot {@code name}: a new empty top over the snapshot's layer; what
     * was written since is dropped (the old top), every snapshot is kept.
     */
    public synchronized void revert(String name) throws IOException {
        requireWritable();
        requireNotMoving();
        OverlayChain c = chain;
        OverlayChain.Snapshot s = c == null ? null : c.snapshots().get(name);
        if (s == null) {
            throw new IllegalArgumentException("no snapshot " + name);
        }
        int id = c.nextId();
        Layer.create(dir, id, size);
        Layer fresh = Layer.open(dir, id, size);
        Layer old;
        if (!pauseFor(fresh)) {
            throw new IOException("the disk's I/O did not pause within " + PAUSE_WAIT_SECONDS + " s; not reverted");
        }
        try {
            Map<Integer, Integer> parents = new LinkedHashMap<>(c.parents());
            parents.remove(c.top());
            parents.put(id, s.below());
            OverlayChain next = new OverlayChain(size, parents, id, c.snapshots());
            next.write(dir);
            old = layers.remove(c.top());
            layers.put(id, fresh);
            install(next);
        } finally {
            pause.writeLock().unlock();
        }
        old.delete();
        settle();
    }

    /**
     * Reads the layers again from their files, when a first client connects: another server may
     * have served the same device meanwhile (the source or target VIOS of a partition's mobility,
     * on the shared pool) and written blocks, bits and even snapshots this one's memory does not
     * have. Its own changed bits are written first (none once its clients flushed and went).
     */
    public synchronized void refresh() throws IOException {
        pause.writeLock().lock();
        try {
            if (writable) {
                path[0].flush();
            }
            Optional<OverlayChain> c = OverlayChain.read(dir);
            for (var e : new ArrayList<>(layers.entrySet())) {
                if (e.getKey() != 0) {
                    e.getValue().close();
                    layers.remove(e.getKey());
                }
            }
            if (c.isPresent()) {
                for (int id : c.get().parents().keySet()) {
                    layers.put(id, Layer.open(dir, id, size));
                }
            }
            install(c.orElse(null));
        } finally {
            pause.writeLock().unlock();
        }
    }

    /** Waits for the requests in progress (a stalled client must not hang the caller); false: {@code fresh} deleted. */
    private boolean pauseFor(Layer fresh) throws IOException {
        try {
            if (pause.writeLock().tryLock(PAUSE_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fresh.delete();
        return false;
    }

    /** Deletes snapshot {@code name}, merging the layer boundary it leaves (see the class comment). */
    public synchronized void delete(String name) throws IOException {
        requireWritable();
        OverlayChain c = chain;
        if (c == null || !c.snapshots().containsKey(name)) {
            throw new IllegalArgumentException("no snapshot " + name);
        }
        List<Path> clones = LinkedClones.linkedClones(base, name);
        if (!clones.isEmpty()) {
            throw new IllegalStateException("snapshot " + name + " is the base of linked clone "
                    + clones.getFirst().getFileName() + (clones.size() > 1 ? " and " + (clones.size() - 1) + " more" : ""));
        }
        Map<String, OverlayChain.Snapshot> snaps = new LinkedHashMap<>(c.snapshots());
        snaps.remove(name);
        OverlayChain next = new OverlayChain(size, c.parents(), c.top(), snaps);
        next.write(dir); // first: from here on the snapshot is gone, even if the merge is cut short
        switchTo(next);
        settle();
    }

    /** Merges every boundary no snapshot names, until none is left. */
    synchronized void settle() throws IOException {
        while (true) {
            OverlayChain c = chain;
            Integer unnamed = null;
            for (int id : c.parents().keySet()) {
                if (id != c.top() && c.snapshotOf(id).isEmpty()) {
                    unnamed = id;
                    break;
                }
            }
            if (unnamed != null) {
                List<Integer> children = c.childrenOf(unnamed);
                if (children.isEmpty()) {
                    Map<Integer, Integer> parents = new LinkedHashMap<>(c.parents());
                    parents.remove(unnamed);
                    drop(new OverlayChain(size, parents, c.top(), c.snapshots()), unnamed);
                } else if (children.size() == 1) {
                    mergeIntoChild(c, unnamed, children.getFirst());
                } else {
                    return; // still the common part of two branches
                }
                continue;
            }
            List<Integer> baseChildren = c.childrenOf(0);
            if (origin.isEmpty() && c.snapshotOf(0).isEmpty() && baseChildren.size() == 1
                    && baseChildren.getFirst() != c.top()) {
                mergeIntoBase(c, baseChildren.getFirst());
                continue;
            }
            return;
        }
    }

    /** Child absorbs parent: the child takes every block of the parent it lacks, then the parent goes. */
    private void mergeIntoChild(OverlayChain c, int parent, int child) throws IOException {
        Layer from = layers.get(parent);
        Layer into = layers.get(child);
        long blocks = Layer.blocks(size);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        for (long b = from.nextPresent(0, blocks); b >= 0; b = from.nextPresent(b + 1, blocks)) {
            allocation.lock(); // the child may be the live top: a first write there must not interleave
            try {
                if (!into.has(b)) {
                    long at = b << Layer.SHIFT;
                    buf.clear().limit((int) Math.min(Layer.BLOCK, size - at));
                    readFully(from.data, buf, at);
                    buf.flip();
                    writeFully(into.data, buf, at);
                    into.mark(b, b + 1);
                }
            } finally {
                allocation.unlock();
            }
        }
        into.flush();
        Map<Integer, Integer> parents = new LinkedHashMap<>(c.parents());
        parents.put(child, parents.remove(parent));
        drop(new OverlayChain(size, parents, c.top(), c.snapshots()), parent);
    }

    /** The base file absorbs its only child, which is frozen: every block the child has is copied down. */
    private void mergeIntoBase(OverlayChain c, int child) throws IOException {
        Layer into = layers.get(0);
        copyAll(layers.get(child), into);
        into.flush();
        Map<Integer, Integer> parents = new LinkedHashMap<>();
        c.parents().forEach((l, p) -> {
            if (l != child) {
                parents.put(l, p == child ? 0 : p);
            }
        });
        Map<String, OverlayChain.Snapshot> snaps = new LinkedHashMap<>();
        c.snapshots().forEach((n, s) -> snaps.put(n, s.below() == child ? new OverlayChain.Snapshot(n, 0, s.createdMillis()) : s));
        drop(new OverlayChain(size, parents, c.top(), snaps), child);
    }

    /** Names {@code next} (which no longer has layer {@code gone}) in the chain file, switches to it, deletes the files. */
    private void drop(OverlayChain next, int gone) throws IOException {
        next.write(dir);
        switchTo(next);
        Layer l = layers.remove(gone);
        if (l != null) {
            l.delete();
        }
    }

    /**
     * No snapshot names anything and no client is connected (at open): the top's blocks go into the
     * file, flushed, and only then does the chain file go, so a crash leaves either the overlay
     * (reading the same) or the plain file.
     */
    private void flattenIfUnnamed() throws IOException {
        OverlayChain c = chain;
        if (!c.snapshots().isEmpty() || c.parents().size() != 1 || !origin.isEmpty()) {
            return; // a linked clone's own file is not its base
        }
        Layer into = layers.get(0);
        copyAll(layers.get(c.top()), into);
        into.flush();
        Files.delete(dir.resolve(OverlayChain.FILE));
        Layer.syncDirectory(dir);
        Layer top = layers.remove(c.top());
        install(null);
        top.delete();
        Path linked = dir.resolve(LinkedClones.LINKED); // marks of clones gone with their snapshots: none reads it now
        if (Files.isDirectory(linked)) {
            try (DirectoryStream<Path> marks = Files.newDirectoryStream(linked)) {
                for (Path m : marks) {
                    Files.deleteIfExists(m);
                }
            }
            Files.deleteIfExists(linked);
        }
        Files.deleteIfExists(dir);
    }

    /** Copies every block {@code from} has into {@code into}, in runs of up to 1 MiB. */
    private void copyAll(Layer from, Layer into) throws IOException {
        long blocks = Layer.blocks(size);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        for (long b = from.nextPresent(0, blocks); b >= 0; b = from.nextPresent(b + 1, blocks)) {
            long run = b + 1;
            while (run < blocks && run - b < 256 && from.has(run)) {
                run++;
            }
            long at = b << Layer.SHIFT;
            buf.clear().limit((int) (Math.min(run << Layer.SHIFT, size) - at));
            readFully(from.data, buf, at);
            buf.flip();
            writeFully(into.data, buf, at);
            into.mark(b, run);
            b = run - 1;
        }
    }

    private void switchTo(OverlayChain next) throws IOException {
        pause.writeLock().lock();
        try {
            install(next);
        } finally {
            pause.writeLock().unlock();
        }
    }

    /** Points the read path and the write target at {@code c} (under the pause, or before serving). */
    private void install(OverlayChain c) throws IOException {
        chain = c;
        List<Layer> p = new ArrayList<>();
        if (c != null) {
            for (int id : c.pathFrom(c.top())) {
                p.add(layers.get(id));
            }
        }
        if (origin.isEmpty()) {
            p.add(layers.get(0));
        } else {
            p.addAll(origin);
        }
        path = p.toArray(Layer[]::new);
        topHoles.close();
        topHoles = c != null && writable ? Fallocate.open(path[0].dataFile) : Fallocate.none();
    }

    /** Files a crash left between making a layer and naming it, or between unnaming and deleting it. */
    private void removeStrays() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "L*.{data,map}")) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                int id = Integer.parseInt(n.substring(1, n.indexOf('.')));
                if (!layers.containsKey(id) && writable) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (NumberFormatException e) {
            // not one of ours
        }
    }

    private void requireWritable() {
        if (!writable) {
            throw new IllegalStateException("read-only overlay");
        }
    }

    private static boolean readFully(FileChannel ch, ByteBuffer dst, long at) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, at);
            if (n < 0) {
                return false;
            }
            at += n;
        }
        return true;
    }

    private static void writeFully(FileChannel ch, ByteBuffer src, long at) throws IOException {
        while (src.hasRemaining()) {
            at += ch.write(src, at);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        DiskMove m = move;
        if (m != null) {
            m.close();
        }
        if (writable) {
            path[0].flush();
        }
        topHoles.close();
        for (Layer l : layers.values()) {
            l.close();
        }
        for (Layer l : origin) {
            l.close();
        }
    }
}
