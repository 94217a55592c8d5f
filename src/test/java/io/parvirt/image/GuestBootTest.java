package io.parvirt.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class GuestBootTest {
    @Test
    void commandLineNamesConsolePanicAndHost() {
        String c = GuestBoot.kernelCmdline("lp1", "");
        assertThat(c.split(" ")).contains("console=ttyS0", "panic=0", "parvirt.hostname=lp1");
        assertThat(c).doesNotEndWith(" ");
        assertThat(GuestBoot.kernelCmdline("lp1", " parvirt.ip=eth0:10.0.0.5/24 "))
                .endsWith("parvirt.hostname=lp1 parvirt.ip=eth0:10.0.0.5/24");
        assertThat(GuestBoot.readyLine("lp1")).isEqualTo("PARVIRT-READY host=lp1");
    }

    @Test
    void partitionNamesThatAreNoHostNamesAreMadeInto() {
        assertThat(GuestBoot.kernelCmdline("Prod DB #2", "")).contains(" parvirt.hostname=Prod-DB--2")
                .doesNotContain("#");
        assertThat(GuestBoot.readyLine("Prod DB #2")).isEqualTo("PARVIRT-READY host=Prod-DB--2");
        assertThatThrownBy(() -> GuestBoot.kernelCmdline(null, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GuestBoot.kernelCmdline("lp1", "a\nb")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void partitionNamesBecomeHostNames() {
        assertThat(GuestBoot.hostnameOf("lp1")).isEqualTo("lp1");
        assertThat(GuestBoot.hostnameOf("Prod DB #2")).isEqualTo("Prod-DB--2");
        assertThat(GuestBoot.hostnameOf("--x")).isEqualTo("x");
        assertThat(GuestBoot.hostnameOf("###")).isEqualTo("lpar");
        assertThat(GuestBoot.hostnameOf("y".repeat(80))).hasSize(63);
        assertThat(GuestBoot.hostnameOf("a=b c\td")).isEqualTo("a-b-c-d");
    }
}
