package io.parvirt.vios;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.HmcResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: {@code rmsyscfg -r lpar ... --vioscfg [--vdisk]} on a client partition, as tools send
 * it at HMC level 951: its mappings on its VIOS go with it, and with {@code --vdisk} the backing
 * devices they mapped (files included); another client's storage and the media stay.
 */
@Tag("unit")
class ClientRemovalTest {
    @TempDir
    Path dir;

    static ViosRig configured(Path dir) {
        ViosRig r = ViosRig.defined(dir);
        r.ok("mksp -fb pool1 -size 4G");
        r.ok("mkbdsp -sp pool1 64M -bd lp1_root -vadapter vhost0");
        r.ok("mkbdsp -sp pool1 64M -bd lp2_root -vadapter vhost1");
        r.ok("mkvdev -fbo -vadapter vhost0");
        r.ok("mkrep -sp pool1 -size 128M");
        r.ok("mkvopt -name cd1 -size 16 -ro");
        r.ok("loadopt -disk cd1 -vtd vtopt0");
        return r;
    }

    HmcResult rm(ViosRig r, String... flags) {
        List<String> argv = new java.util.ArrayList<>(List.of("rmsyscfg", "-r", "lpar", "-m", ViosRig.SYS, "-n", "lp1"));
        argv.addAll(List.of(flags));
        return r.hmc(argv);
    }

    @Test
    void vioscfgWithVdiskRemovesTheClientsMappingsAndDisksOnly() {
        try (ViosRig r = configured(dir)) {
            assertThat(rm(r, "--vioscfg", "--vdisk").exitCode()).isZero();
            assertThat(r.hmc(List.of("lssyscfg", "-r", "lpar", "-m", ViosRig.SYS, "-F", "name")).stdout())
                    .isEqualTo("vios1\nlp2\n");
            assertThat(r.ok("lsmap -all -field svsa vtd -fmt :")).isEqualTo("vhost0\nvhost1:vtscsi1\nvhost2\n");
            assertThat(r.ok("lssp -bd -sp pool1")).doesNotContain("lp1_root").contains("lp2_root");
            assertThat(r.file("2/pools/pool1/lp1_root")).doesNotExist();
            assertThat(r.file("2/pools/pool1/lp2_root")).exists();
            assertThat(r.ok("lsrep")).contains("cd1 ");
        }
    }

    @Test
    void vioscfgAloneKeepsTheDisksAndNoFlagKeepsTheMappings() {
        try (ViosRig r = configured(dir)) {
            String before = r.ok("lsmap -all");
            HmcResult refused = rm(r, "--vdisk");
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.stdout()).contains("--vioscfg");
            assertThat(r.ok("lsmap -all")).isEqualTo(before);

            assertThat(rm(r, "--vioscfg").exitCode()).isZero();
            assertThat(r.ok("lsmap -all -field svsa vtd -fmt :")).isEqualTo("vhost0\nvhost1:vtscsi1\nvhost2\n");
            assertThat(r.ok("lssp -bd -sp pool1")).contains("lp1_root").contains("lp2_root");
            assertThat(r.file("2/pools/pool1/lp1_root")).exists();
        }
    }

    @Test
    void withoutVioscfgTheMappingsStayOnTheVios() {
        try (ViosRig r = configured(dir)) {
            assertThat(rm(r).exitCode()).isZero();
            assertThat(r.ok("lsmap -all -field svsa vtd -fmt :")).isEqualTo("vhost0:vtscsi0:vtopt0\nvhost1:vtscsi1\n"
                    + "vhost2\n");
        }
    }
}
