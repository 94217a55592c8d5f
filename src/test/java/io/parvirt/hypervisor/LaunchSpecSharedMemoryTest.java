package io.parvirt.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Whether a partition's memory is a shared memfd is decided at activation and kept for the run
 * (issue 17): QEMU cannot change its boot memory's backend, so a DLPAR that removes the last
 * vhost-user NIC must leave a spec that still says shared, or a suspend's resume or a migration's
 * target would build the guest with other memory than it has.
 */
@Tag("unit")
class LaunchSpecSharedMemoryTest {
    static final LaunchSpec.Nic VHOST = new LaunchSpec.Nic(2, "0E5056000102", "ETHERNET0", 1, false, List.of(), 0,
            "none", true);
    static final LaunchSpec.Nic STREAM = new LaunchSpec.Nic(3, "0E5056000103", "ETHERNET0", 1, false, List.of(), 0,
            "none", false);

    static LaunchSpec spec(List<LaunchSpec.Nic> nics, Boolean shared) {
        return new LaunchSpec("/usr/bin/qemu-system-x86_64", "web", 1, "00000000-0000-4000-8000-000000000001", 512,
                1024, 1, 4, Accelerator.TCG, Path.of("/img/default/vmlinuz"), Path.of("/img/default/initrd"), null,
                "console=ttyS0", Path.of("/run/lpar/1"), nics, List.of(), null, 256, 10, List.of(), null, shared);
    }

    static boolean memfd(LaunchSpec s) {
        return QemuCommandLine.of(s).stream().anyMatch(a -> a.startsWith("memory-backend-memfd,id=ram0,")
                && a.endsWith(",share=on"));
    }

    @Test
    void removingTheLastVhostUserNicKeepsTheMemoryShared() {
        LaunchSpec launched = spec(List.of(VHOST), LaunchSpec.sharedFor(List.of(VHOST)));
        assertThat(launched.sharesMemory()).isTrue();

        LaunchSpec afterRemove = launched.withNics(List.of()); // chhwres -r virtualio --rsubtype eth -o r
        assertThat(afterRemove.sharesMemory()).isTrue();
        assertThat(memfd(afterRemove)).as("a resume or a migration target builds the memory QEMU has").isTrue();
        assertThat(afterRemove.current(2, 768).sharesMemory()).isTrue();
        assertThat(afterRemove.rehomed("/opt/qemu", Path.of("/t/run/lpar/1"), null, null, null).sharesMemory()).isTrue();
        assertThat(afterRemove.withScsi(List.of(), List.of()).sharesMemory()).isTrue();
    }

    @Test
    void aPartitionLaunchedUnsharedStaysUnsharedWhateverItsNics() {
        LaunchSpec launched = spec(List.of(STREAM), LaunchSpec.sharedFor(List.of(STREAM)));
        assertThat(launched.sharesMemory()).isFalse();
        assertThat(memfd(launched)).isFalse();
        // a vhost-user NIC cannot appear on unshared memory; even if a spec said so, the memory stays as launched
        assertThat(launched.withNics(List.of(STREAM, VHOST)).sharesMemory()).isFalse();
    }

    @Test
    void theRunRecordKeepsItAndAnOldRecordDerivesItFromItsNics() throws Exception {
        LaunchSpec removed = spec(List.of(VHOST), true).withNics(List.of());
        LaunchSpec back = Hypervisor.JSON.readValue(Hypervisor.JSON.writeValueAsBytes(removed), LaunchSpec.class);
        assertThat(back.sharesMemory()).isTrue();
        assertThat(back).isEqualTo(removed);

        // a run.json written before the field: what the NICs say, as it was derived then
        for (var nics : List.of(List.of(VHOST), List.of(STREAM))) {
            ObjectNode old = Hypervisor.JSON.valueToTree(spec(nics, null));
            old.remove("sharedMemory");
            LaunchSpec read = Hypervisor.JSON.treeToValue(old, LaunchSpec.class);
            assertThat(read.sharesMemory()).isEqualTo(nics.contains(VHOST));
        }
    }
}
