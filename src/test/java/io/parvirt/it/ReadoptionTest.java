package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** QEMU outlives the daemon: a SIGKILLed daemon comes back to the partitions it left running. */
@Tag("guest")
class ReadoptionTest {

    /**
     * A SIGKILLed daemon's QEMU runs on, and the next daemon re-adopts it with its agent. Issue 13:
     * a daemon killed around a DLPAR may leave a run record behind what the guest has; the next
     * daemon re-adopts the partition and records what its monitor and agent report. (The record is
     * set back by hand here, as a kill between the guest's change and the record would.) One guest
     * boot for both: each boot costs the suite a TCG start.
     */
    @Test
    void aKilledDaemonReadoptsItsPartitionWithWhatTheGuestHas(@TempDir Path dir) throws Exception {
        try (ServedHome h = ServedHome.start(dir, "lp1")) {
            h.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=lp1,profile_name=default,lpar_env=aixlinux,"
                    + "min_mem=256,desired_mem=256,max_mem=768,proc_mode=shared,min_proc_units=0.1,"
                    + "desired_proc_units=0.2,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,"
                    + "sharing_mode=uncap,uncap_weight=128");
            h.ok("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp1");
            h.awaitState("lp1", "Running", 120);
            h.ok("chhwres", "-r", "proc", "-m", "sys1", "-o", "a", "-p", "lp1", "--procs", "1");
            h.ok("chhwres", "-r", "mem", "-m", "sys1", "-o", "a", "-p", "lp1", "-q", "256");
            long qemu = Long.parseLong(Files.readString(dir.resolve("run/lpar/1/qemu.pid")).strip());
            h.kill();
            assertThat(ProcessHandle.of(qemu).map(ProcessHandle::isAlive)).as("QEMU outlives the daemon")
                    .contains(true);

            Path record = dir.resolve("run/lpar/1/run.json");
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            var tree = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(record.toFile());
            ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("allocation")).put("vcpus", 1).put("memMb", 256);
            json.writeValue(record.toFile(), tree);

            h.serveAgain();
            h.awaitState("lp1", "Running", 60);
            Await.on("lshwres to show what the guest has", () -> h.run("lshwres", "-r", "proc", "-m", "sys1",
                    "--level", "lpar", "-F", "curr_procs").stdout().strip() + "," + h.run("lshwres", "-r", "mem",
                    "-m", "sys1", "--level", "lpar", "-F", "curr_mem,run_mem").stdout().strip())
                    .within(Duration.ofSeconds(30)).every(ServedHome.POLL).until("2,512,512"::equals);
            assertThat(guest(h, "lp1", "nproc").strip()).isEqualTo("2");
            // the re-adopted agent answers with the command's own exit status
            Cli.Result fail = h.run("guest", "exec", "-m", "sys1", "-p", "lp1", "--", "/bin/sh", "-c", "exit 7");
            assertThat(fail.exit()).isEqualTo(7);

            // A real SIGKILL in the middle of a removal: QEMU and the guest go on giving the memory back
            // without the daemon; the next one must show what they have, whichever step the kill hit.
            long memTotal = memTotalMb(h);
            long avail = Long.parseLong(h.run("lshwres", "-r", "mem", "-m", "sys1", "--level", "sys", "-F",
                    "curr_avail_sys_mem").stdout().strip());
            Thread removal = Thread.ofVirtual().start(() -> h.run("chhwres", "-r", "mem", "-m", "sys1", "-o", "r",
                    "-p", "lp1", "-q", "256", "-w", "2"));
            Thread.sleep(1500); // deliberate: the CLI's JVM starts and its request reaches the daemon's job
            h.kill();
            removal.join();
            h.serveAgain();
            h.awaitState("lp1", "Running", 60);
            // the guest finishes (or never began) the removal on its own: wait until what it has settles
            long settled = Await.on("the guest's memory to settle", () -> memTotalMb(h))
                    .within(Duration.ofSeconds(60)).every(Duration.ofSeconds(2))
                    .until(m -> m < memTotal - 200 || m == memTotalMb(h));
            long expectedMem = settled < memTotal - 200 ? 256 : 512;
            System.out.println("readoption: the kill left the guest with " + settled + " MB MemTotal (was "
                    + memTotal + "): curr_mem must be " + expectedMem);
            Await.on("curr_mem, run_mem and the free memory to show what the guest has", () -> h.run("lshwres", "-r",
                    "mem", "-m", "sys1", "--level", "lpar", "-F", "curr_mem,run_mem").stdout().strip() + ","
                    + h.run("lshwres", "-r", "mem", "-m", "sys1", "--level", "sys", "-F", "curr_avail_sys_mem")
                            .stdout().strip())
                    .within(Duration.ofSeconds(30)).every(ServedHome.POLL)
                    .until((expectedMem + "," + expectedMem + "," + (avail + 512 - expectedMem))::equals);
            // and DLPAR goes on from there: the memory is given back again as a whole
            h.ok("chhwres", "-r", "mem", "-m", "sys1", "-o", "a", "-p", "lp1", "-q", Long.toString(768 - expectedMem),
                    "-w", "2");
            assertThat((double) memTotalMb(h)).isCloseTo(memTotal + 256, org.assertj.core.data.Percentage
                    .withPercentage(1));

            h.ok("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "lp1");
            h.awaitState("lp1", "Not Activated", 30);
            assertThat(ProcessHandle.of(qemu).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }

    static long memTotalMb(ServedHome h) {
        return Long.parseLong(guest(h, "lp1", "grep MemTotal /proc/meminfo").replaceAll("[^0-9]", "")) / 1024;
    }

    static String guest(ServedHome h, String lpar, String script) {
        Cli.Result r = h.run("guest", "exec", "-m", "sys1", "-p", lpar, "--", "/bin/sh", "-c", script);
        assertThat(r.exit()).as(script + ": " + r.stdout() + r.stderr()).isZero();
        return r.stdout();
    }

    /**
     * The VIOS's storage server outlives the daemon as QEMU does: the daemon started by ./parvirt
     * (the jar's class path) is killed, its client keeps its disk, and the next daemon re-adopts the
     * same server and can still tell it of a new mapping.
     */
    @Test
    void aKilledDaemonReadoptsItsViosWhoseStorageServerKeptServing(@TempDir Path dir) throws Exception {
        try (ServedHome h = ServedHome.start(dir, "lp1", "vios1")) {
            h.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("vios1", 256, 1)
                    .replace("lpar_env=aixlinux", "lpar_env=vioserver") + ",virtual_scsi_adapters=2/server/any//any/1");
            h.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("lp1", 256, 1)
                    + ",virtual_scsi_adapters=2/client//vios1/2/1");
            h.ok("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mksp -fb pool1 -size 256M");
            h.ok("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mkbdsp -sp pool1 32M -bd d1 -vadapter vhost0");
            h.ok("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "vios1");
            h.awaitState("vios1", "Running", 60);
            h.ok("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp1");
            h.awaitState("lp1", "Running", 120);
            long server = Long.parseLong(Files.readString(dir.resolve("run/lpar/1/storage.pid")).strip());

            h.kill();
            assertThat(ProcessHandle.of(server).map(ProcessHandle::isAlive)).as("the storage server outlives the daemon")
                    .contains(true);

            h.serveAgain();
            h.awaitState("vios1", "Running", 60);
            assertThat(Files.readString(dir.resolve("run/lpar/1/storage.pid")).strip()).isEqualTo(Long.toString(server));
            guest(h, "lp1", "yes readopted | head -c 4096 > /tmp/b && dd if=/tmp/b of=/dev/sda bs=4096 count=1"
                    + " conv=fsync 2>/dev/null");
            assertThat(Files.readString(dir.resolve("vios/1/pools/pool1/d1")).substring(0, 10)).isEqualTo("readopted\n");
            h.ok("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mkbdsp -sp pool1 16M -bd d2 -vadapter vhost0");
            Path socket = dir.resolve("run/lpar/1/nbd/vtscsi1.sock");
            Await.until("the re-adopted server to be told of the new mapping (" + socket + ")", Duration.ofSeconds(10),
                    () -> Files.exists(socket));

            h.ok("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "vios1");
            h.awaitState("vios1", "Not Activated", 30);
            assertThat(ProcessHandle.of(server).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }
}
