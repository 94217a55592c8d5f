package io.parvirt.vios.nbd;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Linked clones' files (issue 19; how an {@link Overlay} reads one is in its class comment): the
 * clone's {@code .NAME.snap/origin} names its source device and snapshot, and the source's
 * {@code .SRC.snap/linked/} holds a mark per clone, by which the snapshot's deletion and the
 * source's removal are refused while the clone exists.
 */
public final class LinkedClones {
    private LinkedClones() {
    }

    static final String ORIGIN = "origin";
    static final String LINKED = "linked";

    /** A linked clone's source: its device file and the snapshot the clone reads through. */
    public record Origin(Path source, String snapshot) {
    }

    /** What {@code backing} is a linked clone of, if it is one. */
    public static Optional<Origin> originOf(Path backing) throws IOException {
        Path f = Overlay.dirOf(backing).resolve(ORIGIN);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(f);
        if (lines.size() != 2) {
            throw new IOException(f + ": not an origin file");
        }
        return Optional.of(new Origin(Path.of(lines.get(0)), lines.get(1)));
    }

    /**
     * What snapshot {@code o.snapshot()} of device {@code o.source()} reads, read-only, top first:
     * its layers, then its base file or, when it is itself a linked clone, what its own origin reads.
     */
    static List<Layer> layersOf(Origin o, long size) throws IOException {
        Path srcDir = Overlay.dirOf(o.source());
        List<Layer> out = new ArrayList<>();
        try {
            OverlayChain sc = OverlayChain.read(srcDir).orElseThrow(() -> new IOException("the source "
                    + o.source() + " has no snapshots"));
            OverlayChain.Snapshot s = sc.snapshots().get(o.snapshot());
            if (s == null || sc.size() != size) {
                throw new IOException("the source " + o.source() + " has no snapshot " + o.snapshot() + " of its size");
            }
            for (int id : sc.pathFrom(s.below())) {
                out.add(Layer.open(srcDir, id, size, false));
            }
            Optional<Origin> further = originOf(o.source());
            if (further.isPresent()) {
                out.addAll(layersOf(further.get(), size));
            } else {
                out.add(Layer.base(o.source(), false));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            for (Layer l : out) {
                l.close();
            }
            throw e;
        }
    }

    /**
     * Makes {@code clone} (a device's final path; its file is {@code file}, perhaps still staged
     * under another name) a linked clone of {@code source} at its snapshot {@code snapshot}: the
     * file becomes an empty sparse file of the source's size, its layers' directory an empty top
     * over the source's snapshot, and the source marks it. Nothing is copied.
     */
    public static void link(Path clone, Path file, Path source, String snapshot) throws IOException {
        OverlayChain sc = OverlayChain.read(Overlay.dirOf(source)).orElseThrow(() -> new IOException(source
                + " has no snapshots"));
        if (!sc.snapshots().containsKey(snapshot)) {
            throw new IOException(source + " has no snapshot " + snapshot);
        }
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
            f.setLength(sc.size()); // a hole throughout: no block of it is ever read
        }
        Path dir = Overlay.dirOf(clone);
        Files.createDirectories(dir);
        Layer.create(dir, 1, sc.size());
        Path linked = Files.createDirectories(Overlay.dirOf(source).resolve(LINKED));
        io.parvirt.durable.AtomicFile.replace(linked.resolve(markOf(clone)), clone.toAbsolutePath() + "\n"
                + snapshot + "\n");
        io.parvirt.durable.AtomicFile.replace(dir.resolve(ORIGIN), source.toAbsolutePath() + "\n" + snapshot + "\n");
        new OverlayChain(sc.size(), Map.of(1, 0), 1, Map.of()).write(dir); // last: from here on it is a clone
    }

    private static String markOf(Path clone) {
        return Integer.toHexString(clone.toAbsolutePath().toString().hashCode()) + "-" + clone.getFileName();
    }

    /**
     * The linked clones (their device files) that read through snapshot {@code snapshot} of
     * {@code source} (null: any of its snapshots). A mark whose clone is gone (its file or its
     * origin), or is no longer that snapshot's clone, is not one.
     */
    public static List<Path> linkedClones(Path source, String snapshot) throws IOException {
        Path linked = Overlay.dirOf(source).resolve(LINKED);
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(linked)) {
            return out;
        }
        try (DirectoryStream<Path> marks = Files.newDirectoryStream(linked)) {
            for (Path m : marks) {
                List<String> lines = Files.readAllLines(m);
                if (lines.size() != 2 || (snapshot != null && !lines.get(1).equals(snapshot))) {
                    continue;
                }
                Path clone = Path.of(lines.get(0));
                // a clone whose file never got its name (a daemon killed before the copy was committed) holds nothing
                Optional<Origin> o = Files.exists(clone) ? originOf(clone) : Optional.empty();
                if (o.isPresent() && o.get().source().equals(source.toAbsolutePath())
                        && o.get().snapshot().equals(lines.get(1))) {
                    out.add(clone);
                }
            }
        }
        return out;
    }
}
