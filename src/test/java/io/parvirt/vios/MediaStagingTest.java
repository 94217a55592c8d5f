package io.parvirt.vios;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.HmcResult;
import io.parvirt.testing.Await;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, hole 8: {@code mkvopt -file} copied under the VIOS service's one lock, so a copy of
 * gigabytes held every other VIOS command. The copy is staged outside the lock: another command
 * answers while it runs, and the medium appears whole when it is done. The copy is capped: a file
 * that is not regular (a FIFO never ends) or larger than the repository's free room is refused
 * before a byte is read.
 */
@Tag("unit")
class MediaStagingTest {
    @TempDir
    Path dir;

    static boolean staging(Path repository) throws Exception {
        if (!Files.isDirectory(repository)) {
            return false;
        }
        try (Stream<Path> s = Files.list(repository)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(".staging-"));
        }
    }

    @Test
    void anotherVioscommandAnswersWhileAMediumIsCopied() throws Exception {
        try (ViosRig r = ViosRig.defined(dir)) {
            r.ok("mkrep -sp rootvg -size 512M");
            Path iso = dir.resolve("big.iso");
            try (RandomAccessFile f = new RandomAccessFile(iso.toFile(), "rw")) {
                f.setLength(256L << 20); // sparse: reading it is cheap, writing the copy is not
            }
            Path repository = r.file("2/repository");
            CompletableFuture<HmcResult> copy = CompletableFuture.supplyAsync(() -> r.vios("mkvopt -name big.iso -file "
                    + iso + " -ro"));
            Await.until("the copy to be staged", Duration.ofSeconds(30), () -> staging(repository));
            HmcResult other = r.vios("lssp");
            assertThat(other.exitCode()).isZero();
            assertThat(staging(repository) || !copy.isDone()).as("lssp answered while the copy was still running")
                    .isTrue();
            assertThat(copy.get().exitCode()).as(copy.get().stdout()).isZero();
            assertThat(Files.size(r.file("2/repository/big.iso"))).isEqualTo(256L << 20);
            assertThat(staging(repository)).as("nothing staged is left").isFalse();
            assertThat(r.ok("lsrep")).contains("big.iso");
        }
    }

    /** A FIFO (or any file that never ends) is refused at once: nothing is read, nothing staged. */
    @Test
    void aFileThatIsNotRegularIsRefusedWithoutReadingIt() throws Exception {
        try (ViosRig r = ViosRig.defined(dir)) {
            r.ok("mkrep -sp rootvg -size 64M");
            Path fifo = dir.resolve("pipe.iso");
            assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
            HmcResult refused = CompletableFuture.supplyAsync(() -> r.vios("mkvopt -name p.iso -file " + fifo + " -ro"))
                    .get(60, TimeUnit.SECONDS);
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.stdout()).isEqualTo(ViosRig.REFUSED + "mkvopt: The file " + fifo
                    + " does not exist or is not a regular file.\n");
            assertThat(staging(r.file("2/repository"))).isFalse();
            assertThat(r.ok("lsrep")).doesNotContain("p.iso");
        }
    }

    /** The size cap: a file larger than the repository's free room is refused before any byte is copied. */
    @Test
    void aFileLargerThanTheRepositoryIsRefusedBeforeItIsCopied() throws Exception {
        try (ViosRig r = ViosRig.defined(dir)) {
            r.ok("mkrep -sp rootvg -size 32M");
            Path iso = dir.resolve("big.iso");
            try (RandomAccessFile f = new RandomAccessFile(iso.toFile(), "rw")) {
                f.setLength(4L << 30); // sparse; the repository is rounded up to its pool's partitions, far below
            }
            HmcResult refused = r.vios("mkvopt -name big.iso -file " + iso + " -ro");
            assertThat(refused.exitCode()).as(refused.stdout()).isEqualTo(1);
            assertThat(refused.stdout()).contains("The virtual media repository has ")
                    .contains(" MB free; the medium big.iso needs 4096 MB.").hasLineCount(1);
            try (Stream<Path> left = Files.list(r.file("2/repository"))) {
                assertThat(left).as("nothing staged, nothing kept").isEmpty();
            }
            assertThat(r.ok("lsrep")).doesNotContain("big.iso");
        }
    }
}
