package io.parvirt.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The on-disk form of one image: {@code <imagesDir>/<name>/} with {@code vmlinuz} and
 * {@code initramfs.img}, or a {@code disk.qcow2}/{@code disk.img} (kernel optional), and an
 * {@code image.properties} (description, kernel version, build time). The properties may record
 * each file's size ({@code <file>.size}). A file that is empty, of another size than recorded, or
 * not of its kind by its first bytes makes the directory damaged, and a damaged image is no image.
 */
final class ImageDirectory {
    static final String KERNEL = "vmlinuz";
    static final String INITRAMFS = "initramfs.img";
    static final List<String> DISKS = List.of("disk.qcow2", "disk.img");
    static final String PROPERTIES = "image.properties";
    /** cpio newc/crc ("07070"), gzip, xz, zstd, lz4, bzip2, lzma, lzo, as hex. */
    private static final List<String> INITRAMFS_MAGIC = List.of("3037303730", "1f8b", "fd377a585a", "28b52ffd",
            "02214c18", "425a68", "5d0000", "894c5a");

    static final String DESCRIPTION = "description";
    static final String KERNEL_VERSION = "kernel.version";
    static final String BUILT = "built";

    private ImageDirectory() {
    }

    /** The image in {@code dir}, or empty unless it is complete and undamaged. */
    static Optional<PartitionImage> read(String name, Path dir) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve(PROPERTIES))) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        for (String file : List.of(KERNEL, INITRAMFS, DISKS.get(0), DISKS.get(1))) {
            if (Files.exists(dir.resolve(file)) && intact(dir, file, p) == null) {
                return Optional.empty();
            }
        }
        Path kernel = intact(dir, KERNEL, p);
        Path initramfs = intact(dir, INITRAMFS, p);
        Path disk = DISKS.stream().map(d -> intact(dir, d, p)).filter(d -> d != null).findFirst().orElse(null);
        // Direct boot needs both; a disk boots alone, or with a kernel (and maybe an initramfs).
        if (kernel == null ? initramfs != null || disk == null : initramfs == null && disk == null) {
            return Optional.empty();
        }
        return Optional.of(new PartitionImage(name, kernel, initramfs, disk, p.getProperty(DESCRIPTION, "")));
    }

    static void writeProperties(Path dir, Properties p) throws IOException {
        try (OutputStream out = Files.newOutputStream(dir.resolve(PROPERTIES))) {
            p.store(out, "parvirt partition image");
        }
    }

    /** Records the size of a file just written, so truncation later is noticed. */
    static void recordSize(Path dir, String file, Properties p) throws IOException {
        p.setProperty(file + ".size", Long.toString(Files.size(dir.resolve(file))));
    }

    private static Path intact(Path dir, String file, Properties p) {
        Path f = dir.resolve(file);
        try {
            if (!Files.isRegularFile(f) || Files.size(f) == 0) {
                return null;
            }
            String recorded = p.getProperty(file + ".size");
            boolean sized = recorded == null || Long.parseLong(recorded.strip()) == Files.size(f);
            return sized && looksRight(file, f) ? f : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /**
     * A cheap look at the first bytes, so that garbage is refused here rather than by a guest that
     * never boots: an x86 boot-protocol kernel has "HdrS" at 0x202, an initramfs is cpio or one of
     * the compressions the kernel unpacks, a qcow2 starts "QFI\xfb".
     */
    private static boolean looksRight(String file, Path f) throws IOException {
        byte[] head = new byte[0x206];
        int n;
        try (InputStream in = Files.newInputStream(f)) {
            n = in.readNBytes(head, 0, head.length);
        }
        String hex = HexFormat.of().formatHex(head, 0, Math.min(n, 6));
        return switch (file) {
            case KERNEL -> n == head.length && new String(head, 0x202, 4, StandardCharsets.US_ASCII).equals("HdrS");
            case INITRAMFS -> INITRAMFS_MAGIC.stream().anyMatch(hex::startsWith);
            case "disk.qcow2" -> hex.startsWith("514649fb");
            default -> true;
        };
    }
}
