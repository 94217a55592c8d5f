package io.parvirt.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives written here are read back by GNU cpio, the reference reader of the newc format. */
@Tag("daemon")
class CpioNewcWriterTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void cpioInstalled() throws Exception {
        HostTools.require("cpio", "cpio");
    }

    @Test
    void gnuCpioReadsNamesModesLinksAndContents() throws Exception {
        byte[] big = new byte[100_003]; // not a multiple of 4: the padding after it matters
        new Random(7).nextBytes(big);
        Path source = tmp.resolve("big.bin");
        Files.write(source, big);

        Path archive = tmp.resolve("test.cpio");
        try (var out = Files.newOutputStream(archive); CpioNewcWriter cpio = new CpioNewcWriter(out, 1_700_000_000)) {
            cpio.directory("etc", 0755);
            cpio.file("etc/motd", 0644, "hello\n".getBytes(StandardCharsets.UTF_8));
            cpio.file("usr/local/bin/tool", 0750, "#!/bin/sh\necho x\n".getBytes(StandardCharsets.UTF_8));
            cpio.file("/data/big.bin", 0600, source);
            cpio.file("data/empty", 0644, new byte[0]);
            for (int n = 1; n <= 5; n++) {
                cpio.file("odd/" + "n".repeat(n), 0644, "abcde".substring(0, n).getBytes(StandardCharsets.UTF_8));
            }
            cpio.symlink("bin/sh", "/bin/busybox");
            cpio.symlink("lib64", "usr/lib");
            cpio.characterDevice("dev/console", 0600, 5, 1);
            cpio.directory("tmp", 01777);
        }

        String listing = cpio(tmp, archive, "-i", "-t", "-v");
        assertThat(names(cpio(tmp, archive, "-i", "-t"))).containsExactly("etc", "etc/motd", "usr", "usr/local",
                "usr/local/bin", "usr/local/bin/tool", "data", "data/big.bin", "data/empty", "odd", "odd/n", "odd/nn",
                "odd/nnn", "odd/nnnn", "odd/nnnnn", "bin", "bin/sh", "lib64", "dev", "dev/console", "tmp");
        assertThat(listing).containsPattern("(?m)^-rwxr-x---.* usr/local/bin/tool$")
                .containsPattern("(?m)^lrwxrwxrwx.* bin/sh -> /bin/busybox$")
                .containsPattern("(?m)^lrwxrwxrwx.* lib64 -> usr/lib$")
                .containsPattern("(?m)^crw-------.* 5,\\s+1 .*dev/console$")
                .containsPattern("(?m)^drwxrwxrwt.* tmp$")
                .containsPattern("(?m)^-rw-------.* 100003 .*data/big.bin$");

        Path out = Files.createDirectory(tmp.resolve("out"));
        // Device nodes are left out: a container may forbid mknod even to root.
        cpio(out, archive, "-i", "-d", "-m", "--no-absolute-filenames", "-f", "dev/*");
        assertThat(Files.readAllBytes(out.resolve("data/big.bin"))).isEqualTo(big);
        assertThat(out.resolve("etc/motd")).hasContent("hello");
        assertThat(out.resolve("data/empty")).isEmptyFile();
        for (int n = 1; n <= 5; n++) {
            assertThat(out.resolve("odd/" + "n".repeat(n))).hasContent("abcde".substring(0, n));
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("usr/local/bin/tool"))))
                .isEqualTo("rwxr-x---");
        assertThat(Files.readSymbolicLink(out.resolve("bin/sh"))).isEqualTo(Path.of("/bin/busybox"));
        assertThat(Files.getLastModifiedTime(out.resolve("etc/motd")).toMillis()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void refusesAnEntryTwiceAndPathsOutsideTheRoot() throws IOException {
        try (CpioNewcWriter cpio = new CpioNewcWriter(new ByteArrayOutputStream(), 0)) {
            cpio.file("a", 0644, new byte[1]);
            assertThatThrownBy(() -> cpio.symlink("a", "b")).hasMessageContaining("already has a");
            assertThatThrownBy(() -> cpio.file("../etc/passwd", 0644, new byte[0]))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> cpio.file("x/./y", 0644, new byte[0]))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void sameInputsGiveTheSameArchive() throws IOException {
        assertThat(smallArchive()).isEqualTo(smallArchive());
    }

    private static byte[] smallArchive() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (CpioNewcWriter cpio = new CpioNewcWriter(b, 0)) {
            cpio.file("etc/hostname", 0644, "lp1\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(b.size() % 4).isZero();
        return b.toByteArray();
    }

    private static List<String> names(String listing) {
        return listing.lines().filter(l -> !l.isBlank() && !l.matches("\\d+ blocks?")).toList();
    }

    private static String cpio(Path dir, Path archive, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("cpio"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectInput(archive.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
