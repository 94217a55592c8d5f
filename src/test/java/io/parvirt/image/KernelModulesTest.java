package io.parvirt.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Load order from the real Debian cloud kernel the shared build unpacked. */
@Tag("daemon")
class KernelModulesTest {
    static KernelModules modules;

    @BeforeAll
    static void unpackedKernel() throws Exception {
        TestImages.defaultImage();
        try (Stream<Path> s = Files.list(TestImages.CACHE.resolve("unpacked"))) {
            Path kernel = s.filter(p -> p.getFileName().toString().startsWith("linux-image-")).findFirst()
                    .orElseThrow();
            try (Stream<Path> v = Files.list(kernel.resolve("lib/modules"))) {
                DebianPackages apt = new DebianPackages(TestImages.CACHE, l -> { });
                modules = new KernelModules(v.findFirst().orElseThrow(), apt);
            }
        }
    }

    @Test
    void dependenciesComeFirstAndInheritRequiredness() throws Exception {
        List<String> said = new ArrayList<>();
        Map<String, KernelModules.Module> order = modules.loadOrder(List.of("sr_mod", "scsi_mod"), Set.of("sr_mod"),
                said::add).stream().collect(Collectors.toMap(KernelModules.Module::name, Function.identity(),
                        (a, b) -> a, java.util.LinkedHashMap::new));
        assertThat(order.keySet()).containsExactly("scsi_common", "scsi_mod", "cdrom", "sr_mod");
        assertThat(order.get("sr_mod").required()).isFalse();
        assertThat(order.get("cdrom").required()).isFalse();
        // First pulled in by optional sr_mod, then needed by required scsi_mod: required, with its own.
        assertThat(order.get("scsi_mod").required()).isTrue();
        assertThat(order.get("scsi_common").required()).isTrue();
        assertThat(order.get("sr_mod").path()).isEqualTo("kernel/drivers/scsi/sr_mod.ko");
        assertThat(said).isEmpty();
    }

    @Test
    void absentModulesAreSkippedWithAWarningAndBuiltInOnesSilently() throws Exception {
        List<String> said = new ArrayList<>();
        List<KernelModules.Module> order = modules.loadOrder(List.of("no_such_module", "ext4", "pvpanic-mmio"),
                Set.of(), said::add);
        assertThat(order).extracting(KernelModules.Module::name).containsExactly("pvpanic", "pvpanic_mmio");
        assertThat(said).containsExactly("warning: kernel module no_such_module is not in this kernel; skipped");
    }
}
