package io.parvirt.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.model.Allocation;
import io.parvirt.model.LparState;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.Profile;
import io.parvirt.model.SharingMode;
import io.parvirt.model.VirtualEthernetAdapter;
import io.parvirt.testing.InProcessSystem;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: the profile {@code mksyscfg -o save} and {@code sync_curr_profile=1} write takes the
 * running figures (curr_min/curr/curr_max, policy, the adapters it runs with) and keeps from the
 * activated profile only what DLPAR cannot change.
 */
@Tag("unit")
class CurrentProfileTest {

    @Test
    void theCurrentFiguresBecomeTheProfilesDesiredOnes(@TempDir Path dir) {
        try (InProcessSystem s = new InProcessSystem(dir)) {
            s.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=web1,profile_name=default,lpar_env=aixlinux,"
                    + "min_mem=256,desired_mem=512,max_mem=1024,proc_mode=shared,min_proc_units=0.1,"
                    + "desired_proc_units=0.2,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=3,"
                    + "sharing_mode=uncap,uncap_weight=128,boot_mode=sms,"
                    + "\"virtual_eth_adapters=2/0/1//0/1/ETHERNET0/0A0000000002/all/3,3/0/5//0/0\"");
            Profile base = s.sys.definition().profile(1, "default").orElseThrow();
            // What the partition runs with after DLPAR: 2 VPs, 0.35 units, capped, 768 MB; slot 3 was removed
            // and slot 4 added (live adapter changes), slot 2 got an extra VLAN.
            Allocation a = new Allocation(1, 768, ProcUnits.parse("u", "0.35"), 2, false, SharingMode.CAP, 40, 0,
                    base.processors(), 256, 1024);
            RunState st = new RunState(1, LparState.RUNNING, "", "", "", Instant.now(), "default", Optional.of(a), "",
                    List.of(), true, List.of(new RunState.ActiveNic(2, "0A0000000002", "ETHERNET0", 1, true,
                            List.of(7), 0, "none"), new RunState.ActiveNic(4, "x", "ETHERNET0", 9, false, List.of(), 0, "none")), List.of(), false);

            Profile saved = CurrentProfile.of(base, "now", st);

            assertThat(saved.name()).isEqualTo("now");
            assertThat(saved.memory().minMb()).isEqualTo(256);
            assertThat(saved.memory().desiredMb()).isEqualTo(768);
            assertThat(saved.memory().maxMb()).isEqualTo(1024);
            assertThat(saved.processors().desiredProcs()).isEqualTo(2);
            assertThat(saved.processors().maxProcs()).isEqualTo(3);
            assertThat(saved.processors().desiredUnits()).isEqualTo(ProcUnits.parse("u", "0.35"));
            assertThat(saved.processors().sharingMode()).isEqualTo(SharingMode.CAP);
            assertThat(saved.processors().uncapWeight()).isEqualTo(40);
            assertThat(saved.options()).isEqualTo(base.options());
            assertThat(saved.io().eth()).extracting(VirtualEthernetAdapter::slot).containsExactly(2, 4);
            VirtualEthernetAdapter two = saved.io().eth().getFirst();
            assertThat(two.required()).as("kept from the profile").isTrue();
            assertThat(two.macAddr()).isEqualTo("0A0000000002");
            assertThat(two.qosPriority()).isEqualTo("3");
            assertThat(two.ieee()).isTrue();
            assertThat(two.addlVlanIds()).containsExactly(7);
            assertThat(saved.io().eth().get(1).portVlanId()).isEqualTo(9);

            // It is a valid profile: stored under a new name, then refused over an existing one without --force.
            s.sys.saveProfile(saved, false, "test", "saved");
            assertThat(s.run("lssyscfg", "-r", "prof", "-m", "sys1", "--filter", "profile_names=now", "-F",
                    "desired_mem,desired_procs,desired_proc_units,sharing_mode").stdout()).isEqualTo("768,2,0.35,cap\n");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.sys.saveProfile(saved, false, "test", "saved"))
                    .hasMessageContaining("already in use");
        }
    }
}
