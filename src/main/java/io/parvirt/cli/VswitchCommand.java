package io.parvirt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.home.ParvirtHome;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code parvirt vswitch ports}: a parvirt extension (the HMC has no such listing) that prints
 * every virtual switch port with its VLANs and its counters: frames and bytes each way, and drops
 * by reason; a trunk adapter's port also shows whether it is active and its host TAP interface.
 */
@Command(name = "vswitch", mixinStandardHelpOptions = true, description = "Look at the virtual switches.",
        subcommands = VswitchCommand.Ports.class)
final class VswitchCommand {

    @Command(name = "ports", mixinStandardHelpOptions = true,
            description = "Every port of every virtual switch, with its counters.")
    static final class Ports implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            ParvirtHome home = ParvirtHome.fromEnvironment();
            if (!DaemonLauncher.running(home)) {
                DaemonLauncher.start(home);
            }
            UnixHttp.Response r = UnixHttp.request(home.socket(), "GET", "/api/v1/vswitch/ports",
                    DaemonLauncher.token(home), null);
            if (r.status() != 200) {
                System.out.println(r.body());
                return 1;
            }
            JsonNode ports = new ObjectMapper().readTree(r.body());
            System.out.printf("%-10s %-16s %5s %-12s %-5s %-14s %10s %12s %10s %12s  %s%n", "VSWITCH", "PARTITION",
                    "SLOT", "MAC", "PVID", "TAGGED", "RX_FRAMES", "RX_BYTES", "TX_FRAMES", "TX_BYTES", "DROPS");
            for (JsonNode p : ports) {
                JsonNode c = p.path("config");
                StringBuilder drops = new StringBuilder();
                p.path("drops").properties().forEach(e -> {
                    if (e.getValue().asLong() > 0) {
                        drops.append(drops.isEmpty() ? "" : ",").append(e.getKey()).append('=')
                                .append(e.getValue().asLong());
                    }
                });
                StringBuilder tagged = new StringBuilder();
                c.path("additionalVlans").forEach(v -> tagged.append(tagged.isEmpty() ? "" : ",").append(v.asInt()));
                System.out.printf("%-10s %-16s %5d %012X %-5d %-14s %10d %12d %10d %12d  %s%s%n",
                        p.path("vswitch").asText(), p.path("lpar").asText(), p.path("slot").asInt(),
                        c.path("mac").asLong(), c.path("pvid").asInt(), tagged.isEmpty() ? "-" : tagged,
                        p.path("rxFrames").asLong(), p.path("rxBytes").asLong(), p.path("txFrames").asLong(),
                        p.path("txBytes").asLong(), drops.isEmpty() ? "-" : drops, state(p));
            }
            return 0;
        }

        /** A trunk's role and host interface; a port whose peer is not there says so. */
        private static String state(JsonNode p) {
            String s = "";
            int prio = p.path("config").path("trunkPriority").asInt();
            if (prio > 0) {
                s = " trunk " + prio + (p.path("activeTrunk").asBoolean() ? " active" : " standby")
                        + (p.path("hostInterface").isTextual() ? " via " + p.path("hostInterface").asText() : "");
            }
            return s + (p.path("connected").asBoolean() ? "" : " (not connected)");
        }
    }
}
