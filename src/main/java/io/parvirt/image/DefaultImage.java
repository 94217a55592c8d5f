package io.parvirt.image;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The recipe of the "default" image: Debian's cloud kernel, and an initramfs of busybox-static,
 * the kernel's virtio/SCSI/802.1Q modules and qemu-guest-agent with its libraries; other images
 * are this recipe plus the programs and libraries of extra packages ({@link PackageContents}).
 * Writes the image's files into a directory the store then moves into place.
 */
final class DefaultImage {
    static final String NAME = "default";

    /** The load order the guest kernel needs (ARCHITECTURE.md), then what the init's extras use. */
    static final List<String> MODULES = List.of("virtio_ring", "virtio", "virtio_pci_legacy_dev",
            "virtio_pci_modern_dev", "virtio_pci", "virtio_mmio", "failover", "net_failover", "virtio_net",
            "scsi_common", "scsi_mod", "sd_mod", "sr_mod", "cdrom", "virtio_scsi", "virtio_blk", "virtio_console",
            "virtio_balloon", "virtio_mem", "8021q",
            // pvpanic-mmio binds QEMU's pvpanic device, so a panic also reaches QEMU as an event;
            // evdev and button deliver the ACPI power button to acpid.
            "pvpanic-mmio", "evdev", "button",
            // isofs mounts virtual optical media (ISO 9660) from a VIOS's repository.
            "isofs");
    /** Modules a partition can do without: no such device on q35, or a feature not in use. */
    // virtio_mem is not among them: memory DLPAR needs it (the Debian cloud kernel has it as a module).
    static final Set<String> OPTIONAL = Set.of("virtio_mmio", "sr_mod", "cdrom", "virtio_balloon",
            "8021q", "pvpanic-mmio", "evdev", "button", "isofs");

    /** image.properties: the extra packages, "name=version" comma separated; absent when none. */
    static final String PACKAGES = "packages";

    private final DebianPackages apt;
    private final List<String> extraPackages;
    private final Consumer<String> progress;

    DefaultImage(DebianPackages apt, Consumer<String> progress) {
        this(apt, List.of(), progress);
    }

    /** The recipe plus, from each of {@code extraPackages}, what {@link PackageContents} takes. */
    DefaultImage(DebianPackages apt, List<String> extraPackages, Consumer<String> progress) {
        this.apt = apt;
        this.extraPackages = List.copyOf(extraPackages);
        this.progress = progress;
    }

    /** Writes vmlinuz, initramfs.img and image.properties into {@code target}. */
    void writeTo(Path target) throws ImageException, IOException {
        progress.accept("resolving the newest Debian cloud kernel");
        CloudKernels kernels = new CloudKernels(apt, progress);
        String kernelPackage = kernels.newest();
        Path kernelRoot = apt.unpack(kernelPackage);
        Path busyboxRoot = apt.unpack("busybox-static");
        Path agentRoot = apt.unpack("qemu-guest-agent");

        String version = kernelVersion(kernelRoot);
        Path vmlinuz = kernelRoot.resolve("boot/vmlinuz-" + version);
        if (!Files.isRegularFile(vmlinuz)) {
            throw new ImageException(kernelPackage + " holds no boot/vmlinuz-" + version, null);
        }
        List<KernelModules.Module> modules = new KernelModules(kernelRoot.resolve("lib/modules/" + version), apt)
                .loadOrder(MODULES, OPTIONAL, progress);
        Path busybox = busyboxRoot.resolve("bin/busybox");
        List<String> applets = HostProgram.check(null, Duration.ofSeconds(30),
                List.of(busybox.toString(), "--list-full")).out().lines().map(String::strip)
                .filter(l -> !l.isEmpty()).toList();
        Path agent = agentRoot.resolve("usr/sbin/qemu-ga");
        List<SharedLibraries.Library> libraries = SharedLibraries.of(agent, apt.depends("qemu-guest-agent"), apt);

        List<PackageContents> extras = new ArrayList<>();
        List<PackageContents.Entry> extraFiles = new ArrayList<>();
        if (!extraPackages.isEmpty()) {
            Map<String, SharedLibraries.Library> all = new LinkedHashMap<>();
            libraries.forEach(l -> all.put(l.guestPath(), l));
            Set<String> taken = new HashSet<>();
            for (String pkg : extraPackages) {
                PackageContents c = PackageContents.of(pkg, apt, GuestRoot.OWN, progress);
                extras.add(c);
                c.libraries().forEach(l -> all.putIfAbsent(l.guestPath(), l));
                for (PackageContents.Entry e : c.files()) {
                    if (taken.add(e.guestPath())) {
                        extraFiles.add(e);
                    } else {
                        progress.accept(pkg + ": " + e.guestPath() + " left out (an earlier package has it)");
                    }
                }
                progress.accept(pkg + " " + c.version() + ": " + count(c.files().size(), "file") + ", "
                        + count(c.libraries().size(), "library") + " needed");
            }
            libraries = List.copyOf(all.values());
        }

        GuestRoot root = new GuestRoot(busybox, applets, agent, libraries, version, modules, osRelease(version),
                extraFiles);
        progress.accept("writing initramfs (" + modules.size() + " modules, " + libraries.size() + " libraries, "
                + applets.size() + " busybox applets" + (extras.isEmpty() ? "" : ", "
                + count(extraFiles.size(), "file") + " of " + extras.stream().map(PackageContents::pkg).collect(Collectors.joining(", "))) + ")");
        int files;
        Path initramfs = target.resolve(ImageDirectory.INITRAMFS);
        // Uncompressed: the kernel copies it in about 0.1 s of TCG guest time, inflating costs more.
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(initramfs), 1 << 16);
                CpioNewcWriter cpio = new CpioNewcWriter(out, 0)) {
            root.write(cpio);
            files = cpio.entries();
        }
        progress.accept("initramfs written: " + files + " files, "
                + Files.size(initramfs) / (1 << 20) + " MiB, uncompressed");
        Files.copy(vmlinuz, target.resolve(ImageDirectory.KERNEL));

        Properties p = new Properties();
        String kernelVersion = apt.field(kernelPackage, "Version");
        p.setProperty(ImageDirectory.DESCRIPTION, "Debian cloud kernel " + version + " (" + kernelVersion
                + "), busybox " + upstream(apt.field("busybox-static", "Version")) + ", qemu-guest-agent "
                + upstream(apt.field("qemu-guest-agent", "Version"))
                + (extras.isEmpty() ? "" : "; with " + extras.stream().map(c -> c.pkg() + " " + upstream(c.version()))
                        .collect(Collectors.joining(", "))));
        if (!extras.isEmpty()) {
            p.setProperty(PACKAGES, extras.stream().map(c -> c.pkg() + "=" + c.version())
                    .collect(Collectors.joining(",")));
        }
        p.setProperty(ImageDirectory.KERNEL_VERSION, version);
        p.setProperty("kernel.package", kernelPackage + "=" + kernelVersion);
        p.setProperty("initramfs.files", Integer.toString(files));
        p.setProperty(ImageDirectory.BUILT, Instant.now().toString());
        ImageDirectory.recordSize(target, ImageDirectory.KERNEL, p);
        ImageDirectory.recordSize(target, ImageDirectory.INITRAMFS, p);
        ImageDirectory.writeProperties(target, p);
        kernels.forgetAllBut(kernelPackage);
    }

    private static String kernelVersion(Path kernelRoot) throws ImageException, IOException {
        try (Stream<Path> s = Files.list(kernelRoot.resolve("lib/modules"))) {
            List<String> versions = s.map(p -> p.getFileName().toString()).toList();
            if (versions.size() != 1) {
                throw new ImageException("expected one kernel in " + kernelRoot + ", found " + versions, null);
            }
            return versions.getFirst();
        }
    }

    private static String count(int n, String noun) {
        return n + " " + (n == 1 ? noun : noun.endsWith("y") ? noun.substring(0, noun.length() - 1) + "ies"
                : noun + "s");
    }

    /** 1:1.35.0-4+deb12u1+b1 -> 1.35.0: the version people know. */
    private static String upstream(String debianVersion) {
        return debianVersion.replaceFirst("^\\d+:", "").replaceFirst("[-+~].*$", "");
    }

    private static String osRelease(String kernelVersion) {
        // qemu-ga's guest-get-osinfo reads this; parvirt shows it as the partition's OS.
        return """
                NAME="parvirt"
                ID=parvirt
                VERSION_ID="1"
                PRETTY_NAME="parvirt partition image (Debian kernel %s)"
                """.formatted(kernelVersion);
    }
}
