package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: a system profile starts a VIOS and two client partitions (listed VIOS in the middle):
 * {@code --test} starts nothing, {@code -o on} starts the VIOS first, and the clients only once it
 * is Running, so that each client boots with its disk served. A profile data restore that would
 * remove running partitions is refused with nothing changed.
 */
@Tag("guest")
class SystemProfileStartTest {

    @Test
    void aSystemProfileStartsItsViosBeforeItsClients(@TempDir Path dir) throws Exception {
        try (ServedHome h = ServedHome.start(dir, "lp1", "lp2", "vios1")) {
            h.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("vios1", 256, 1)
                    .replace("lpar_env=aixlinux", "lpar_env=vioserver") + ",\"virtual_scsi_adapters=2/server/any//any/1,"
                    + "3/server/any//any/1\"");
            h.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("lp1", 256, 1)
                    + ",virtual_scsi_adapters=2/client//vios1/2/1");
            h.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("lp2", 256, 1)
                    + ",virtual_scsi_adapters=2/client//vios1/3/1");
            h.ok("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mksp -fb pool1 -size 128M");
            h.ok("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mkbdsp -sp pool1 16M -bd d1 -vadapter vhost0");
            h.ok("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mkbdsp -sp pool1 16M -bd d2 -vadapter vhost1");
            h.ok("mksyscfg", "-r", "sysprof", "-m", "sys1", "-i", "name=stack,\"lpar_names=lp1,vios1,lp2\","
                    + "\"profile_names=default,default,default\"");

            String plan = h.ok("chsysstate", "-r", "sysprof", "-m", "sys1", "-o", "on", "-n", "stack", "--test")
                    .stdout();
            assertThat(plan).contains("lpar_name=vios1").contains("lpar_name=lp1").contains("lpar_name=lp2");
            assertThat(plan.indexOf("lpar_name=vios1")).isLessThan(plan.indexOf("lpar_name=lp1"));
            for (String n : List.of("lp1", "lp2", "vios1")) {
                assertThat(h.state(n)).as("--test starts nothing").isEqualTo("Not Activated");
            }

            h.ok("chsysstate", "-r", "sysprof", "-m", "sys1", "-o", "on", "-n", "stack");
            assertThat(h.state("vios1")).as("the VIOS is Running when the command returns").isEqualTo("Running");
            h.awaitState("lp1", "Running", 180);
            h.awaitState("lp2", "Running", 180);
            List<String> events = h.ok("lssvcevents", "-t", "console", "-F", "text").stdout().lines().toList();
            int viosStarting = index(events, "Partition vios1 (id 1): Not Activated -> Starting");
            int viosRunning = index(events, "Partition vios1 (id 1): Starting -> Running");
            int lp1Starting = index(events, "Partition lp1 (id 2): Not Activated -> Starting");
            int lp2Starting = index(events, "Partition lp2 (id 3): Not Activated -> Starting");
            int dir1 = Integer.signum(viosRunning - viosStarting); // the listing's own order, oldest or newest first
            assertThat(Integer.signum(lp1Starting - viosRunning)).as(String.join("\n", events)).isEqualTo(dir1);
            assertThat(Integer.signum(lp2Starting - lp1Starting)).isEqualTo(dir1);
            ReadoptionTest.guest(h, "lp2", "test -b /dev/sda");

            h.ok("bkprofdata", "-m", "sys1", "-f", "before");
            String definition = h.ok("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name,lpar_id").stdout();
            Cli.Result init = h.run("rstprofdata", "-m", "sys1", "-l", "4");
            assertThat(init.stdout()).startsWith("HSCL130C ").contains("lp1").contains("vios1");
            assertThat(h.ok("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name,lpar_id").stdout())
                    .isEqualTo(definition);
            h.ok("rstprofdata", "-m", "sys1", "-l", "3", "-f", "before"); // adds nothing, touches no running one
        }
    }

    private static int index(List<String> events, String text) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no event " + text + " in " + events);
    }
}
