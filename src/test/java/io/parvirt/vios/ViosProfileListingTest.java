package io.parvirt.vios;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.HmcResult;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 (reference §10): a profile lists its attributes in a V10 HMC's order, and a VIOS's
 * profile shows {@code boot_mode=norm} (only its partition line leaves boot_mode out).
 */
@Tag("unit")
class ViosProfileListingTest {
    /** The tail of a V10 profile line, captured (reference §10). */
    static final List<String> V10_TAIL = List.of("max_virtual_slots", "virtual_serial_adapters",
            "virtual_scsi_adapters", "virtual_eth_adapters", "virtual_eth_vsi_profiles", "virtual_fc_adapters",
            "vnic_adapters", "vtpm_adapters", "boot_mode", "conn_monitoring", "auto_start", "power_ctrl_lpar_ids",
            "work_group_id", "redundant_err_path_reporting", "lpar_proc_compat_mode", "electronic_err_reporting");

    @Test
    void aVioserverProfileShowsBootModeAndEveryProfileFollowsTheV10Order(@TempDir Path dir) {
        try (ViosRig r = ViosRig.defined(dir)) {
            for (String lpar : List.of("vios1", "lp1")) {
                HmcResult prof = r.hmc(List.of("lssyscfg", "-r", "prof", "-m", ViosRig.SYS, "--filter",
                        "lpar_names=" + lpar));
                assertThat(prof.exitCode()).as(prof.stdout()).isZero();
                List<String> names = Arrays.stream(prof.stdout().strip().split(",(?=[a-z_0-9]+=)|,(?=\"[a-z_]+=)"))
                        .map(p -> p.replace("\"", "").split("=")[0]).toList();
                int from = names.indexOf("max_virtual_slots");
                assertThat(names.subList(from, from + V10_TAIL.size())).as(lpar).isEqualTo(V10_TAIL);
            }
            HmcResult vios = r.hmc(List.of("lssyscfg", "-r", "prof", "-m", ViosRig.SYS, "--filter", "lpar_names=vios1",
                    "-F", "lpar_env,boot_mode"));
            assertThat(vios.stdout()).isEqualTo("vioserver,norm\n");
            HmcResult line = r.hmc(List.of("lssyscfg", "-r", "lpar", "-m", ViosRig.SYS, "--filter", "lpar_names=vios1"));
            assertThat(line.stdout()).doesNotContain("boot_mode");
            // What a profile lists can be given back: vnic_adapters=none is taken, another value refused.
            assertThat(r.hmc(List.of("chsyscfg", "-r", "prof", "-m", ViosRig.SYS, "-i",
                    "name=default,lpar_name=lp1,vnic_adapters=none")).exitCode()).isZero();
            HmcResult vnic = r.hmc(List.of("chsyscfg", "-r", "prof", "-m", ViosRig.SYS, "-i",
                    "name=default,lpar_name=lp1,vnic_adapters=3"));
            assertThat(vnic.exitCode()).isEqualTo(1);
            assertThat(vnic.stdout()).startsWith("HSCL").contains("vnic_adapters");
        }
    }
}
