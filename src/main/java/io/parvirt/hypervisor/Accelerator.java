package io.parvirt.hypervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * KVM where hardware virtualization is real; TCG otherwise. PVM (a software nested KVM, as on the
 * machines this is built on) exposes /dev/kvm but emulates guest kernel code about a thousand
 * times slower than native, so a stock kernel never finishes booting under it: auto avoids it.
 */
public enum Accelerator {
    KVM, TCG;

    public String qemuName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code setting}: auto, kvm or tcg. */
    public static Accelerator choose(String setting) {
        return switch (setting) {
            case "kvm" -> KVM;
            case "tcg" -> TCG;
            case "auto" -> hardwareKvm(Path.of("/")) ? KVM : TCG;
            default -> throw new IllegalArgumentException("accel must be auto, kvm or tcg, not " + setting);
        };
    }

    /** Whether this host has real hardware virtualization (what {@code auto} chooses KVM for). */
    public static boolean hardwareKvm() {
        return hardwareKvm(Path.of("/"));
    }

    /** {@code root} lets tests probe a fake /sys and /proc. */
    static boolean hardwareKvm(Path root) {
        if (!Files.exists(root.resolve("dev/kvm")) || Files.exists(root.resolve("sys/module/kvm_pvm"))) {
            return false;
        }
        try {
            String cpu = Files.readString(root.resolve("proc/cpuinfo"));
            return cpu.matches("(?s).*\\bflags\\s*:.*\\b(vmx|svm)\\b.*");
        } catch (IOException e) {
            return false;
        }
    }
}
