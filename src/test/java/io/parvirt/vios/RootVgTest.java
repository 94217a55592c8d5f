package io.parvirt.vios;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.HmcResult;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every VIOS has the rootvg pool from its installation, so IBM's own examples ({@code mkbdsp -sp
 * rootvg ...}, {@code mkrep -sp rootvg ...}) work on a new VIOS; what the VIOS's own logical
 * volumes take of it is not free; it survives a restart and cannot be removed.
 */
@Tag("unit")
class RootVgTest {
    @TempDir
    Path dir;

    @Test
    void aNewViosHasRootvgAndIbmsExamplesRunAgainstIt() throws Exception {
        try (ViosRig r = ViosRig.defined(dir)) {
            assertThat(r.ok("lssp")).isEqualTo(
                    "Pool              Size(mb)  Free(mb)  Alloc Size(mb)   BDs Type\n"
                    + "rootvg               32704     20416              64     0 LVPOOL\n");
            assertThat(r.vios.hasStorage(2)).as("rootvg alone is not storage that blocks removal").isFalse();

            r.ok("mkbdsp -sp rootvg 10G -bd lp1_rvg -vadapter vhost0");
            r.ok("mkbdsp 100M -bd small"); // rootvg is the default pool; whole 64 MB partitions
            r.ok("mkrep -sp rootvg -size 5G");
            assertThat(r.ok("lssp -bd -sp rootvg")).isEqualTo(
                    "Lv(bd) Name           Size(mb) VTD             SVSA            Status\n"
                    + "lp1_rvg                  10240 vtscsi0         vhost0          Available\n"
                    + "small                      128                                 Available\n");
            assertThat(r.ok("lssp")).contains("rootvg               32704      4928              64     2 LVPOOL\n");
            Path file = r.file("2/pools/rootvg/lp1_rvg");
            assertThat(Files.size(file)).isEqualTo(10240L << 20);
            assertThat(r.ok("lsmap -vadapter vhost0")).contains("Backing device        " + file + "\n");
        }
    }

    @Test
    void rootvgRefusesMoreThanItsFreeSpaceAndItsOwnRemovalChangingNothing() {
        try (ViosRig r = ViosRig.defined(dir)) {
            r.ok("mkbdsp -sp rootvg 20000M -bd big");
            String before = r.ok("lssp") + r.ok("lssp -bd -sp rootvg");
            HmcResult full = r.vios("mkbdsp -sp rootvg 512M -bd more");
            assertThat(full.exitCode()).isEqualTo(1);
            assertThat(full.stdout()).contains("The storage pool rootvg has 384 MB free; the backing device more "
                    + "needs 512 MB.");
            HmcResult rm = r.vios("rmsp rootvg");
            assertThat(rm.exitCode()).isEqualTo(1);
            assertThat(rm.stdout()).contains("rootvg holds the VIOS's own logical volumes and cannot be removed.");
            HmcResult twice = r.vios("mksp -fb rootvg -size 1G");
            assertThat(twice.exitCode()).isEqualTo(1);
            assertThat(r.ok("lssp") + r.ok("lssp -bd -sp rootvg")).isEqualTo(before);
            assertThat(r.file("2/pools/rootvg/more")).doesNotExist();
        }
    }

    @Test
    void rootvgStaysTheDefaultUntilChspAndSurvivesARestart() {
        try (ViosRig r = ViosRig.defined(dir)) {
            r.ok("mksp -fb pool1 -size 1G");
            r.ok("mkbdsp 64M -bd a1");
            r.ok("chsp -default pool1");
            r.ok("mkbdsp 64M -bd a2");
        }
        try (ViosRig again = new ViosRig(dir)) {
            assertThat(again.ok("lssp -bd -sp rootvg")).contains("a1 ").doesNotContain("a2 ");
            assertThat(again.ok("lssp -bd -sp pool1")).contains("a2 ");
            again.ok("mkbdsp 64M -bd a3");
            assertThat(again.ok("lssp -bd -sp pool1")).contains("a3 ");
        }
    }
}
