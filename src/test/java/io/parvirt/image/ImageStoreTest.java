package io.parvirt.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only complete, undamaged image directories are images; everything else is invisible. */
@Tag("unit")
class ImageStoreTest {
    @TempDir
    Path images;

    @Test
    void anEmptyOrAbsentDirectoryHasNoImages() {
        assertThat(new ImageStore(images).list()).isEmpty();
        assertThat(new ImageStore(images.resolve("absent")).list()).isEmpty();
        assertThat(new ImageStore(images).find("default")).isEmpty();
    }

    @Test
    void completeImagesAreListedByName() throws IOException {
        complete("zeta");
        complete("alpha");
        Path disk = Files.createDirectories(images.resolve("disky"));
        Files.write(disk.resolve("disk.qcow2"), bytes("QFI\u00fb", 512));
        Files.writeString(disk.resolve("image.properties"), "description=a disk\n");

        ImageStore store = new ImageStore(images);
        assertThat(store.list()).extracting(PartitionImage::name).containsExactly("alpha", "disky", "zeta");
        PartitionImage a = store.find("alpha").orElseThrow();
        assertThat(a.kernel()).isEqualTo(images.resolve("alpha/vmlinuz"));
        assertThat(a.initramfs()).isEqualTo(images.resolve("alpha/initramfs.img"));
        assertThat(a.disk()).isNull();
        assertThat(a.description()).isEqualTo("test image");
        PartitionImage d = store.find("disky").orElseThrow();
        assertThat(d.disk()).isEqualTo(disk.resolve("disk.qcow2"));
        assertThat(d.kernel()).isNull();
    }

    @Test
    void damagedOrIncompleteDirectoriesAreNotImages() throws IOException {
        Files.delete(complete("no-initramfs").resolve("initramfs.img"));
        Files.delete(complete("no-kernel").resolve("vmlinuz"));
        Files.delete(complete("no-properties").resolve("image.properties"));
        Files.write(complete("empty-kernel").resolve("vmlinuz"), new byte[0]);
        Files.write(complete("garbage-kernel").resolve("vmlinuz"), bytes("MZ", 4096));
        Files.writeString(complete("garbage-initramfs").resolve("initramfs.img"), "<html>404</html>");
        Path truncated = complete("truncated");
        Files.writeString(truncated.resolve("image.properties"), "initramfs.img.size=999999\n",
                java.nio.file.StandardOpenOption.APPEND);
        Files.write(complete("bad-disk").resolve("disk.qcow2"), bytes("nope", 512));
        Files.createDirectories(images.resolve("empty"));
        Files.writeString(images.resolve("plain-file"), "not a directory");

        ImageStore store = new ImageStore(images);
        assertThat(store.list()).isEmpty();
        for (String name : new String[] {"no-initramfs", "no-kernel", "no-properties", "empty-kernel",
                "garbage-kernel", "garbage-initramfs", "truncated", "bad-disk", "empty", "plain-file", "missing"}) {
            assertThat(store.find(name)).as(name).isEmpty();
        }
    }

    @Test
    void anInterruptedBuildDoesNotCount() throws IOException {
        // A build killed after writing everything but before its rename: still hidden.
        Path tmp = images.resolve(".build-default-4242-123456");
        Files.createDirectories(tmp);
        complete(".build-default-4242-123456");
        ImageStore store = new ImageStore(images);
        assertThat(store.list()).isEmpty();
        assertThat(store.find("default")).isEmpty();
        assertThat(store.find(".build-default-4242-123456")).isEmpty();
    }

    @Test
    void namesCannotReachOutsideTheStore() throws IOException {
        complete("real");
        ImageStore store = new ImageStore(images.resolve("real").getParent());
        assertThat(store.find("real")).isPresent();
        for (String name : new String[] {"../real", "real/..", ".", "..", ".cache", "", "a/b", " real", null}) {
            assertThat(store.find(name)).as(String.valueOf(name)).isEmpty();
        }
    }

    /** A small but well-formed direct-boot image: bzImage header magic, a cpio, recorded sizes. */
    private Path complete(String name) throws IOException {
        Path d = Files.createDirectories(images.resolve(name));
        byte[] kernel = new byte[4096];
        System.arraycopy("HdrS".getBytes(StandardCharsets.US_ASCII), 0, kernel, 0x202, 4);
        Files.write(d.resolve("vmlinuz"), kernel);
        Files.write(d.resolve("initramfs.img"), bytes("070701", 1024));
        Files.writeString(d.resolve("image.properties"), "description=test image\nvmlinuz.size=4096\n");
        return d;
    }

    private static byte[] bytes(String head, int size) {
        byte[] b = Arrays.copyOf(head.getBytes(StandardCharsets.ISO_8859_1), size);
        return b;
    }
}
