package io.parvirt.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The package cache against the real apt of this host. */
@Tag("daemon")
class DebianPackagesTest {
    @TempDir
    Path cache;

    @Test
    void newestCloudKernelIsWhatTheMetapackageNames() throws Exception {
        String kernel = new CloudKernels(new DebianPackages(cache, l -> { }), l -> { }).newest();
        assertThat(kernel).matches("linux-image-\\d.*-cloud-amd64");
        String depends = HostProgram.check(null, Duration.ofSeconds(30),
                List.of("apt-cache", "depends", "linux-image-cloud-amd64")).out();
        assertThat(depends).contains(kernel);
    }

    @Test
    void aDamagedCachedPackageIsFetchedAgain() throws Exception {
        Files.createDirectories(cache.resolve("debs"));
        Files.writeString(cache.resolve("debs/busybox-static_1%3a0.0-1_amd64.deb"), "not a deb");
        List<String> said = new ArrayList<>();
        Path root = new DebianPackages(cache, said::add).unpack("busybox-static");
        assertThat(root.resolve("bin/busybox")).isExecutable();
        assertThat(said).anyMatch(l -> l.contains("damaged")).contains("downloading busybox-static");
        try (Stream<Path> debs = Files.list(cache.resolve("debs"))) {
            assertThat(debs.map(p -> p.getFileName().toString())).singleElement().asString()
                    .startsWith("busybox-static_").doesNotContain("0.0-1");
        }
        // Unpacked once; the second call is a lookup.
        List<String> again = new ArrayList<>();
        assertThat(new DebianPackages(cache, again::add).unpack("busybox-static")).isEqualTo(root);
        assertThat(again).isEmpty();
    }

    @Test
    void anUnknownPackageSaysWhatToRun() {
        assertThatThrownBy(() -> new DebianPackages(cache, l -> { }).unpack("no-such-package-parvirt"))
                .isInstanceOf(ImageException.class).hasMessageContaining("no-such-package-parvirt")
                .hasMessageContaining("apt-get update");
    }

    @Test
    void aMissingProgramNamesThePackageToInstall() {
        assertThatThrownBy(() -> HostProgram.run(null, Duration.ofSeconds(5), List.of("zstd-not-here")))
                .isInstanceOf(ImageException.class).hasMessageContaining("zstd-not-here is not installed")
                .hasMessageContaining("apt-get install -y zstd-not-here");
    }

    @Test
    void kernelNamesCompareByTheirNumbers() {
        VersionOrder o = VersionOrder.INSTANCE;
        assertThat(o.compare("linux-image-6.1.0-50-cloud-amd64", "linux-image-6.1.0-9-cloud-amd64")).isPositive();
        assertThat(o.compare("linux-image-6.12.0-1-cloud-amd64", "linux-image-6.1.0-50-cloud-amd64")).isPositive();
    }
}
