package io.parvirt.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Images with extra Debian packages ({@code image build NAME --with PKG}), built for real from the
 * shared package cache: iperf3 with its libraries, and the plain recipe under another name, which
 * must give the default image byte for byte.
 */
@Tag("daemon")
class ImageWithPackagesTest {
    static Path dir;
    static ImageStore store;
    static PartitionImage defaultImage;
    static PartitionImage iperf;
    static List<String> said = new ArrayList<>();

    @BeforeAll
    static void build() throws Exception {
        HostTools.require("cpio", "cpio");
        defaultImage = TestImages.defaultImage().image();
        dir = Files.createTempDirectory("parvirt-images-pkg");
        store = new ImageStore(dir, TestImages.CACHE);
        iperf = store.build("iperf3", List.of("iperf3"), l -> {
            said.add(l);
            System.out.println("image build: " + l);
        });
    }

    @AfterAll
    static void remove() throws IOException {
        if (dir != null) {
            FileTree.delete(dir);
        }
    }

    @Test
    void thePlainRecipeUnderAnotherNameIsTheDefaultImageByteForByte() throws Exception {
        PartitionImage plain = store.build("plain", List.of(), l -> { });
        assertThat(Files.mismatch(plain.initramfs(), defaultImage.initramfs())).isEqualTo(-1L);
        assertThat(Files.mismatch(plain.kernel(), defaultImage.kernel())).isEqualTo(-1L);
        assertThat(plain.description()).isEqualTo(defaultImage.description());
        assertThat(properties(plain)).doesNotContainKey(DefaultImage.PACKAGES);
    }

    @Test
    void theImageHasTheProgramAndEveryLibraryItNeeds() throws Exception {
        List<String> entries = list(iperf.initramfs());
        assertThat(entries).contains("usr/bin/iperf3").anyMatch(e -> e.endsWith("/libiperf.so.0"));
        // The program in the image is the package's, and ldd on it (as the guest's loader would
        // resolve it against the same glibc) names nothing the image lacks.
        Path tmp = Files.createTempDirectory(dir, "extract");
        Path program = tmp.resolve("iperf3");
        Files.write(program, extract(iperf.initramfs(), "usr/bin/iperf3"));
        assertThat(Files.size(program)).isPositive();
        assertThat(PackageContents.elf(program)).isEqualTo(PackageContents.Elf.DYNAMIC);
        String ldd = HostProgram.check(null, java.time.Duration.ofSeconds(30), List.of("ldd", program.toString()))
                .out();
        assertThat(ldd).doesNotContain("not found");
        List<String> needed = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s*(?:\\S+ => )?(/\\S+) \\(0x[0-9a-f]+\\)$").matcher(ldd);
        while (m.find()) {
            needed.add(m.group(1).substring(1));
        }
        assertThat(needed).anyMatch(n -> n.endsWith("libiperf.so.0")).anyMatch(n -> n.contains("ld-linux"));
        assertThat(entries).containsAll(needed);
        // Everything of the default image is there too (no busybox applet is in iperf3's way).
        assertThat(entries).containsAll(list(defaultImage.initramfs()));
        assertThat(entries).doesNotHaveDuplicates();
    }

    @Test
    void theImageSaysWhichPackagesItHas() throws Exception {
        assertThat(iperf.name()).isEqualTo("iperf3");
        assertThat(iperf.description()).startsWith(defaultImage.description() + "; with iperf3 3.");
        assertThat(properties(iperf).getProperty(DefaultImage.PACKAGES)).matches("iperf3=3\\.[^,]+");
        assertThat(store.find("iperf3")).contains(iperf);
        assertThat(said).anyMatch(l -> l.startsWith("iperf3 3.") && l.matches(".*: 1 file, \\d+ librar(y|ies) needed"));
    }

    @Test
    void elfFilesAreToldApart() throws Exception {
        Path tmp = Files.createTempDirectory(dir, "elf");
        Path busybox = tmp.resolve("busybox");
        Files.write(busybox, extract(iperf.initramfs(), "bin/busybox"));
        assertThat(PackageContents.elf(busybox)).isEqualTo(PackageContents.Elf.STATIC);
        Path agent = tmp.resolve("qemu-ga");
        Files.write(agent, extract(iperf.initramfs(), "usr/sbin/qemu-ga"));
        assertThat(PackageContents.elf(agent)).isEqualTo(PackageContents.Elf.DYNAMIC);
        String libiperf = list(iperf.initramfs()).stream().filter(e -> e.endsWith("/libiperf.so.0")).findFirst()
                .orElseThrow();
        Path lib = tmp.resolve("libiperf.so.0");
        Files.write(lib, extract(iperf.initramfs(), libiperf));
        assertThat(PackageContents.elf(lib)).isEqualTo(PackageContents.Elf.SHARED);
        Path init = tmp.resolve("init");
        Files.write(init, extract(iperf.initramfs(), "init"));
        assertThat(PackageContents.elf(init)).isEqualTo(PackageContents.Elf.NONE);
    }

    @Test
    void namesThatAreNotPackagesOrImagesNeverReachApt() {
        for (String pkg : List.of("-oDebug=1", "iperf3 curl", "../x", "", "A")) {
            assertThatThrownBy(() -> store.build("x", List.of(pkg), l -> { })).as(pkg)
                    .isInstanceOf(ImageException.class).hasMessageContaining("not a Debian package name");
        }
        for (String name : new String[] {"../x", ".cache", "", "a/b", null}) {
            assertThatThrownBy(() -> store.build(name, List.of("iperf3"), l -> { })).as(String.valueOf(name))
                    .isInstanceOf(ImageException.class).hasMessageContaining("not an image name");
        }
        assertThat(store.list()).extracting(PartitionImage::name).doesNotContain("x");
        assertThat(Set.copyOf(GuestRoot.OWN)).contains("usr/sbin/qemu-ga", "init", "bin/sh");
    }

    private static Properties properties(PartitionImage image) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(image.initramfs().resolveSibling(ImageDirectory.PROPERTIES))) {
            p.load(in);
        }
        return p;
    }

    private static List<String> list(Path initramfs) throws Exception {
        Process p = new ProcessBuilder("cpio", "-it").redirectInput(initramfs.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return out.lines().toList();
    }

    private static byte[] extract(Path initramfs, String member) throws Exception {
        Process p = new ProcessBuilder("cpio", "-i", "--to-stdout", member).redirectInput(initramfs.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(member).isNotEmpty();
        return out;
    }
}
