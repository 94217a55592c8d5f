package io.parvirt.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A migration's target starts from the source's running configuration (issue 14): the same
 * machine type, devices at the same PCI addresses, the same MACs, maxmem and maxcpus, with the
 * vCPUs and virtio-mem size that DLPAR left, and only its sockets and files in its own places.
 */
@Tag("unit")
class MigrationLaunchTest {
    static final LaunchSpec.Nic NIC = new LaunchSpec.Nic(2, "0E5056000102", "ETHERNET0", 1, false, List.of(), 0, "none", false);

    static LaunchSpec source() {
        return new LaunchSpec("/usr/bin/qemu-system-x86_64", "mob", 1, "00000000-0000-4000-8000-000000000001", 512,
                1024, 1, 4, Accelerator.TCG, Path.of("/img/default/vmlinuz"), Path.of("/img/default/initrd"), null,
                "console=ttyS0", Path.of("/src/run/lpar/1"), List.of(NIC), List.of(), null, 256, 10, List.of(),
                "parvirt-qemu", null);
    }

    static String arg(List<String> args, String option) {
        return args.get(args.indexOf(option) + 1);
    }

    @Test
    void theMachineTypeIsPinnedAndEveryPciDeviceHasItsAddress() {
        List<String> args = QemuCommandLine.of(source());
        assertThat(arg(args, "-machine")).isEqualTo("pc-q35-7.2,accel=tcg");
        // On the root bus at a fixed address, or alone on a slot's root port (itself at a fixed address).
        assertThat(args.stream().filter(a -> a.contains("-pci,"))).isNotEmpty()
                .allMatch(a -> a.contains(",bus=pcie.0,addr=0x") || a.matches(".*,bus=vslot\\d+(,.*)?"));
        assertThat(args.stream().filter(a -> a.startsWith("pcie-root-port,"))).isNotEmpty()
                .allMatch(a -> a.contains(",bus=pcie.0,") && a.contains(",addr=0x"));
    }

    @Test
    void theTargetHasWhatDlparLeftAndWaitsForTheStream() {
        LaunchSpec now = source().current(3, 768);
        LaunchSpec target = now.rehomed("/opt/qemu", Path.of("/dst/run/lpar/1"), Path.of("/dimg/vmlinuz"),
                Path.of("/dimg/initrd"), "qemu-dst");
        List<String> src = QemuCommandLine.of(now);
        List<String> dst = QemuCommandLine.incoming(target);

        assertThat(arg(dst, "-smp")).isEqualTo("3,maxcpus=4");
        assertThat(arg(dst, "-m")).isEqualTo("size=256M,maxmem=1024M");
        assertThat(dst).anyMatch(a -> a.startsWith("virtio-mem-pci,") && a.contains("requested-size=512M"));
        assertThat(arg(dst, "-incoming")).isEqualTo("defer");
        // paused once the stream is in: it runs only when its daemon (alive) says so
        assertThat(dst.subList(dst.size() - 5, dst.size())).startsWith("-S", "-incoming", "defer", "-pidfile");
        // The same arguments but for where its files are: device for device the same machine.
        List<String> rest = dst.stream().filter(a -> !a.equals("-incoming") && !a.equals("defer") && !a.equals("-S"))
                .skip(dst.indexOf("/opt/qemu") + 1)
                .map(a -> a.replace("/dst/run/lpar/1", "/src/run/lpar/1").replace("/dimg/", "/img/default/"))
                .toList();
        assertThat(rest).isEqualTo(src.subList(src.indexOf("/usr/bin/qemu-system-x86_64") + 1, src.size()));
        // Confined like any partition's QEMU, as the target's own user, in the target's sandbox.
        assertThat(dst.subList(0, dst.indexOf("/opt/qemu"))).startsWith("setsid", "setpriv")
                .contains("--reuid=qemu-dst", "--no-new-privs");
        assertThat(arg(dst, "-sandbox")).isEqualTo(QemuCommandLine.SANDBOX);
        assertThat(dst).anyMatch(a -> a.contains("mac=0e:50:56:00:01:02"));
    }
}
