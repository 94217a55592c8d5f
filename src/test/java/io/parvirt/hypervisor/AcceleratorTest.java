package io.parvirt.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auto picks KVM only with /dev/kvm, a vmx/svm CPU flag, and no PVM (software nested KVM). */
@Tag("unit")
class AcceleratorTest {

    static Path host(Path root, boolean kvm, String flags, boolean pvm) throws Exception {
        Files.createDirectories(root.resolve("dev"));
        Files.createDirectories(root.resolve("proc"));
        if (kvm) {
            Files.writeString(root.resolve("dev/kvm"), "");
        }
        Files.writeString(root.resolve("proc/cpuinfo"), "processor\t: 0\nflags\t\t: fpu sse2 " + flags + " avx\n");
        if (pvm) {
            Files.createDirectories(root.resolve("sys/module/kvm_pvm"));
        }
        return root;
    }

    @Test
    void hardwareVirtualizationMeansKvm(@TempDir Path d) throws Exception {
        assertThat(Accelerator.hardwareKvm(host(d, true, "vmx", false))).isTrue();
    }

    @Test
    void pvmIsNotHardwareVirtualizationEvenWithDevKvm(@TempDir Path d) throws Exception {
        assertThat(Accelerator.hardwareKvm(host(d, true, "vmx", true))).isFalse();
        assertThat(Accelerator.hardwareKvm(host(d.resolve("b"), true, "", false))).isFalse();
        assertThat(Accelerator.hardwareKvm(host(d.resolve("c"), false, "svm", false))).isFalse();
    }

    @Test
    void explicitSettingsWinAndNonsenseIsRejected() {
        assertThat(Accelerator.choose("tcg")).isEqualTo(Accelerator.TCG);
        assertThat(Accelerator.choose("kvm")).isEqualTo(Accelerator.KVM);
        assertThat(Accelerator.choose("auto")).isEqualTo(Accelerator.hardwareKvm(Path.of("/")) ? Accelerator.KVM
                : Accelerator.TCG);
        assertThatThrownBy(() -> Accelerator.choose("xen")).isInstanceOf(IllegalArgumentException.class);
    }
}
