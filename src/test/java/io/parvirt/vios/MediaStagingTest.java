package io.parvirt.vios;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.HmcResult;
import io.parvirt.testing.Await;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, hole 8: {@code mkvopt -file} copied under the VIOS service's one lock, so a copy of
 * gigabytes held every other VIOS command. The copy is staged outside the lock: another command
 * answers while it runs, and the medium appears whole when it is done.
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
}
