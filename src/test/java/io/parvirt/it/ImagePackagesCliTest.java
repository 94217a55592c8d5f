package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code ./parvirt image build NAME --with PKG} end to end: the image is built by the CLI into the
 * shared images directory, listed with its packages, booted by a partition whose profile names it
 * ({@code parvirt_image}), and the package's program runs in the guest through
 * {@code ./parvirt guest exec}, also as a background daemon (iperf3 -s -D) a later exec talks to.
 */
@Tag("guest")
class ImagePackagesCliTest {
    private static final String IMAGE = "iperf3-test";

    @Test
    void anImageWithIperf3BootsAndRunsIt() {
        try (CliHome h = new CliHome()) {
            Cli.Result b = h.run("image", "build", IMAGE, "--with", "iperf3");
            assertThat(b.exit()).as(b.stderr()).isZero();
            assertThat(b.stdout()).startsWith("built " + IMAGE + ": ");
            assertThat(b.stderr()).contains("image: iperf3 3.");
            assertThat(h.run("image", "list").stdout()).containsPattern(
                    "(?m)^name=" + IMAGE + ",kernel=.*,\"description=Debian cloud kernel .*; with iperf3 3\\.[0-9]+\"$");

            Cli.Result bad = h.run("image", "build", "x", "--with", "-oAPT::Foo=1");
            assertThat(bad.exit()).isEqualTo(1);
            assertThat(bad.stderr()).contains("not a Debian package name");

            Cli.Result mk = h.run("mksyscfg", "-r", "lpar", "-m", "sys1", "-i",
                    Guests.lpar("ip1", 256, 1) + ",parvirt_image=" + IMAGE);
            assertThat(mk.exit()).as(mk.stdout() + mk.stderr()).isZero();
            assertThat(h.run("lssyscfg", "-r", "prof", "-m", "sys1", "-F", "parvirt_image").stdout().strip())
                    .isEqualTo(IMAGE);
            try {
                Cli.Result on = h.run("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "ip1", "-f", "default");
                assertThat(on.exit()).as(on.stdout() + on.stderr()).isZero();
                Await.on("ip1 to be Running", () -> state(h)).within(Duration.ofSeconds(180)).every(Guests.POLL)
                        .detail(() -> h.run("lsrefcode", "-r", "lpar", "-m", "sys1").stdout()).until("Running"::equals);

                Cli.Result v = exec(h, "iperf3", "--version");
                assertThat(v.exit()).as(v.stderr()).isZero();
                assertThat(v.stdout()).startsWith("iperf 3.");
                // A server started as a daemon outlives its exec; a client in the same guest reaches it.
                Cli.Result s = exec(h, "iperf3", "-s", "-D", "-1");
                assertThat(s.exit()).as(s.stderr()).isZero();
                Cli.Result c = exec(h, "/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do"
                        + " iperf3 -c 127.0.0.1 -t 1 -J > /tmp/c.json 2>&1 && break; sleep 0.5; done; cat /tmp/c.json");
                assertThat(c.stdout()).contains("\"sum_received\"").contains("\"bits_per_second\"")
                        .doesNotContain("\"error\"");
            } finally {
                h.run("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "ip1");
                Await.on("ip1 to stop", () -> state(h)).within(Duration.ofSeconds(60)).every(Guests.POLL)
                        .until("Not Activated"::equals);
            }
        }
    }

    private static Cli.Result exec(CliHome h, String... argv) {
        String[] args = new String[argv.length + 7];
        System.arraycopy(new String[] {"guest", "exec", "-m", "sys1", "-p", "ip1", "--"}, 0, args, 0, 7);
        System.arraycopy(argv, 0, args, 7, argv.length);
        return h.run(args);
    }

    private static String state(CliHome h) {
        return h.run("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=ip1", "-F", "state").stdout()
                .strip();
    }
}
