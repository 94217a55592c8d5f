package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: a linked clone's disk on real files. It reads its source as of the source's snapshot
 * while the source writes on and even merges other snapshots; its own writes stay its own; the
 * snapshot it reads through cannot be deleted while it exists, and can once its files are gone.
 * Every byte is compared with a model of each disk.
 */
@Tag("unit")
class LinkedCloneOverlayTest {
    static final int SIZE = OverlayTest.SIZE;

    @TempDir
    Path dir;

    @Test
    void aCloneReadsTheSnapshotWhileTheSourceWritesOnAndKeepsItsOwnWrites() throws Exception {
        Path source = file("src");
        byte[] src = new byte[SIZE];
        try (Overlay o = Overlay.open(source, true)) {
            OverlayTest.scribble(o, src, 1, 200);
            o.snapshot("base", 1L);
        }
        byte[] atSnapshot = src.clone();
        Path clone = dir.resolve("clone");
        LinkedClones.link(clone, clone, source, "base");
        assertThat(LinkedClones.linkedClones(source, "base")).containsExactly(clone.toAbsolutePath());
        assertThat(LinkedClones.linkedClones(source, "other")).isEmpty();

        try (Overlay s = Overlay.open(source, true); Overlay c = Overlay.open(clone, true)) {
            byte[] mine = atSnapshot.clone();
            OverlayTest.assertReads(c, mine);
            OverlayTest.scribble(s, src, 2, 200); // the source writes on
            s.snapshot("later", 2L);
            OverlayTest.scribble(s, src, 3, 100);
            OverlayTest.scribble(c, mine, 4, 200); // and so does the clone
            s.delete("later"); // a merge on the source: the snapshot the clone reads is kept whole
            OverlayTest.assertReads(c, mine);
            OverlayTest.assertReads(s, src);
            assertThatThrownBy(() -> s.delete("base")).isInstanceOf(IllegalStateException.class)
                    .hasMessage("snapshot base is the base of linked clone clone");
            assertThat(LinkedClones.originOf(clone)).contains(new LinkedClones.Origin(source.toAbsolutePath(), "base"));
        }
        byte[] mine;
        try (Overlay c = Overlay.open(clone, true)) { // opened again: its path found by the snapshot's name
            mine = read(c);
            c.snapshot("own", 5L); // a clone's own snapshots work as any device's
            c.delete("own");
        }
        try (Overlay c = Overlay.open(clone, true)) {
            OverlayTest.assertReads(c, mine);
        }

        deleteTree(Overlay.dirOf(clone)); // the clone's device removed
        Files.delete(clone);
        assertThat(LinkedClones.linkedClones(source, "base")).isEmpty();
        try (Overlay s = Overlay.open(source, true)) {
            s.delete("base");
        }
        try (Overlay s = Overlay.open(source, true)) { // with no snapshot left it is a plain file again
            OverlayTest.assertReads(s, src);
        }
        assertThat(Overlay.dirOf(source)).doesNotExist();
    }

    @Test
    void aCloneOfACloneReadsThroughBothToTheFirstSourcesFile() throws Exception {
        Path source = file("src");
        byte[] src = new byte[SIZE];
        try (Overlay o = Overlay.open(source, true)) {
            OverlayTest.scribble(o, src, 11, 100);
            o.snapshot("one", 1L);
        }
        Path first = dir.resolve("first");
        LinkedClones.link(first, first, source, "one");
        byte[] mid = src.clone();
        try (Overlay o = Overlay.open(first, true)) {
            OverlayTest.scribble(o, mid, 12, 100);
            o.snapshot("two", 2L);
            OverlayTest.scribble(o, new byte[SIZE], 13, 50); // written after: not the second clone's
        }
        Path second = dir.resolve("second");
        LinkedClones.link(second, second, first, "two");
        try (Overlay o = Overlay.open(second, true)) {
            OverlayTest.assertReads(o, mid);
        }
        assertThat(LinkedClones.linkedClones(first, null)).containsExactly(second.toAbsolutePath());
    }

    @Test
    void aCloneWhoseSourceSnapshotIsGoneIsNotOpened() throws Exception {
        Path source = file("src");
        try (Overlay o = Overlay.open(source, true)) {
            o.snapshot("base", 1L);
        }
        Path clone = dir.resolve("clone");
        LinkedClones.link(clone, clone, source, "base");
        Files.delete(Overlay.dirOf(source).resolve("linked").toFile().listFiles()[0].toPath()); // a lost mark
        try (Overlay s = Overlay.open(source, true)) {
            s.delete("base");
        }
        assertThatThrownBy(() -> Overlay.open(clone, true)).isInstanceOf(IOException.class)
                .hasMessageContaining("has no");
        assertThatThrownBy(() -> LinkedClones.link(dir.resolve("c2"), dir.resolve("c2"), source, "base"))
                .isInstanceOf(IOException.class);
    }

    private static byte[] read(Overlay o) {
        java.nio.ByteBuffer all = java.nio.ByteBuffer.allocate(SIZE);
        assertThat(o.read(all, 0)).isZero();
        return all.array();
    }

    private Path file(String name) throws IOException {
        Path f = dir.resolve(name);
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(SIZE);
        }
        return f;
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
