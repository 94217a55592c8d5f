package io.parvirt.remote;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SystemAddressTest {
    @Test
    void takesAHostAnAddressOrABracketedIpv6WithAnOptionalPort() {
        assertThat(SystemAddress.parse("10.0.0.2")).contains(new SystemAddress("10.0.0.2", 12443));
        assertThat(SystemAddress.parse("10.0.0.2:8443")).contains(new SystemAddress("10.0.0.2", 8443));
        assertThat(SystemAddress.parse("Host-B.example.com")).contains(new SystemAddress("host-b.example.com",
                12443));
        assertThat(SystemAddress.parse("[::1]:9000")).contains(new SystemAddress("::1", 9000));
        assertThat(SystemAddress.parse("[fe80::1]")).contains(new SystemAddress("fe80::1", 12443));
    }

    @Test
    void rejectsWhatIsNotAHostAndPort() {
        for (String bad : new String[] {"", " ", "a b", "10.0.0.256", "10.0.0", "1.2.3.4:0", "1.2.3.4:65536",
            "1.2.3.4:x", "host:1:2", "[::1", "[nothost]:1", "-host", "host-", "a_b", "http://x", "::1"}) {
            assertThat(SystemAddress.parse(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void showsTheHostAloneOnTheDefaultPortAsLssysconnDoes() {
        assertThat(new SystemAddress("10.0.0.2", 12443).display()).isEqualTo("10.0.0.2");
        assertThat(new SystemAddress("10.0.0.2", 1).display()).isEqualTo("10.0.0.2:1");
        assertThat(new SystemAddress("::1", 5).authority()).isEqualTo("[::1]:5");
        assertThat(new SystemAddress("127.0.0.7", 5).loopback()).isTrue();
        assertThat(new SystemAddress("10.0.0.7", 5).loopback()).isFalse();
    }
}
