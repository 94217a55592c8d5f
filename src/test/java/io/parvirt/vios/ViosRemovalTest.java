package io.parvirt.vios;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.HmcResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, hole 5: a new VIOS could inherit a removed VIOS's storage, because storage is kept by
 * partition id and ids are reused. Removing a VIOS that has storage is refused unless
 * {@code --vioscfg} removes the storage with it; a VIOS made later with the same id has none.
 */
@Tag("unit")
class ViosRemovalTest {
    @TempDir
    Path dir;

    @Test
    void aVioswithStorageIsRemovedOnlyWithItsStorageAndANewOneOfItsIdStartsEmpty() {
        try (ViosRig r = ViosRig.defined(dir)) {
            r.ok("mksp -fb pool1 -size 64M");
            r.ok("mkbdsp -sp pool1 16M -bd lp1_root -vadapter vhost1");
            HmcResult refused = r.hmc(List.of("rmsyscfg", "-r", "lpar", "-m", ViosRig.SYS, "-n", "vios1"));
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.stdout()).startsWith("HSCL130C The Virtual I/O Server vios1 still has storage");
            assertThat(r.file("2/pools/pool1/lp1_root")).exists();

            assertThat(r.hmc(List.of("rmsyscfg", "-r", "lpar", "-m", ViosRig.SYS, "-n", "vios1", "--vioscfg"))
                    .exitCode()).isZero();
            assertThat(r.file("2")).doesNotExist();
            HmcResult made = r.hmc(List.of("mksyscfg", "-r", "lpar", "-m", ViosRig.SYS, "-i", "name=vios2,lpar_id=2,"
                    + "profile_name=default,lpar_env=vioserver," + ViosRig.COMMON));
            assertThat(made.exitCode()).as(made.stdout()).isZero();
            HmcResult pools = r.hmc(List.of("viosvrcmd", "-m", ViosRig.SYS, "-p", "vios2", "-c", "lssp"));
            assertThat(pools.stdout()).doesNotContain("pool1").contains("rootvg               32704     20416 ");
            assertThat(r.vios.hasStorage(2)).isFalse();
        }
    }
}
