package io.parvirt.image;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A bootable image, as found complete on disk. Either {@code kernel} and {@code initramfs} are set
 * (direct kernel boot, the default image) or {@code disk} is, with the kernel optional: a disk
 * image without one boots through the firmware.
 */
public record PartitionImage(String name, Path kernel, Path initramfs, Path disk, String description) {
    public PartitionImage {
        Objects.requireNonNull(name, "name");
        if (kernel == null && disk == null) {
            throw new IllegalArgumentException("image " + name + " has neither a kernel nor a disk");
        }
        description = description == null ? "" : description;
    }
}
