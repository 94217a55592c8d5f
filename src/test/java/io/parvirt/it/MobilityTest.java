package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.hypervisor.StreamKey;
import io.parvirt.partition.MigrationRequest;
import io.parvirt.partition.MobilityTarget;
import io.parvirt.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Live Partition Mobility between two daemons on this machine (issue 14): sys1 and sys2, each a
 * real daemon with its own home, joined in this JVM through the in-process target (the
 * multi-system HMC will join them over the API). One TCG guest of 256 MB with a virtual Ethernet
 * adapter: refusals change nothing, a stop and a killed target QEMU leave it running on sys1,
 * and a migration moves it, running, with its MAC address and its memory, leaving nothing on sys1.
 */
@Tag("guest")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MobilityTest {
    static RunningDaemon a;
    static RunningDaemon b;
    /** Slow enough that a migration is seen in flight (an idle 256 MB guest sends tens of MB). */
    static final long SLOW = 2L << 20;

    @BeforeAll
    static void start() {
        // sys1 runs at most 2 inactive migrations at once (the setting; 4 unless set)
        a = RunningDaemon.start("mobility.max_inactive=2\n");
        b = RunningDaemon.start("system.name=sys2\n");
        a.daemon().operations().mobility().targets(name -> name.equals("sys2")
                ? Optional.of(b.daemon().operations().mobilityTarget()) : Optional.empty());
        var r = a.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("mob", 256, 1)
                + ",virtual_eth_adapters=2/0/1//0/0");
        assertThat(r.exit()).as(r.stdout()).isZero();
        ok(a.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "mob", "-f", "default"));
        awaitState(a, "sys1", "mob", "Running", Duration.ofSeconds(240));
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    static void ok(RunningDaemon.Hmc r) {
        assertThat(r.exit()).as(r.stdout()).isZero();
    }

    static String state(RunningDaemon d, String sys, String name) {
        return d.hmc("lssyscfg", "-r", "lpar", "-m", sys, "--filter", "lpar_names=" + name, "-F", "state")
                .stdout().strip();
    }

    static void awaitState(RunningDaemon d, String sys, String name, String want, Duration timeout) {
        Await.on(name + " on " + sys + " to be " + want, () -> state(d, sys, name)).within(timeout)
                .every(Guests.POLL).until(want::equals);
    }

    static String listing(RunningDaemon d, String sys) {
        return d.hmc("lssyscfg", "-r", "lpar", "-m", sys, "-F", "name,lpar_id,state").stdout();
    }

    static RunningDaemon.Hmc migrlpar(String op, String... extra) {
        List<String> argv = new ArrayList<>(List.of("migrlpar", "-o", op, "-m", "sys1", "-p", "mob"));
        argv.addAll(List.of(extra));
        return a.hmc(argv.toArray(String[]::new));
    }

    static String sh(RunningDaemon d, String script) {
        Guests.Exec e = Guests.exec(d, "mob", "/bin/sh", "-c", script);
        assertThat(e.exit()).as(script + ": " + e.body()).isZero();
        return e.stdout();
    }

    static long qemuPid(RunningDaemon d) throws Exception {
        return Long.parseLong(Files.readString(d.home().run().resolve("lpar/1/qemu.pid")).strip());
    }

    /** A migration at a slow bandwidth, started in the background, once it is seen in flight with progress. */
    static CompletableFuture<RunningDaemon.Hmc> slowMigrationInFlight() {
        a.daemon().operations().mobility().bandwidth(SLOW);
        CompletableFuture<RunningDaemon.Hmc> m = CompletableFuture.supplyAsync(() -> migrlpar("m", "-t", "sys2"));
        Await.on("the migration to be in progress with bytes sent",
                () -> a.hmc("lslparmigr", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=mob").stdout())
                .within(Duration.ofSeconds(120)).every(Guests.POLL)
                .until(s -> s.contains("migration_state=Migration In Progress") && !s.contains("bytes_transmitted=0,"));
        return m;
    }

    @Test
    @Order(1)
    void everyFailedCheckIsListedWithItsCodeAndNothingChanges() {
        ok(b.hmc("mksyscfg", "-r", "lpar", "-m", "sys2", "-i", Guests.lpar("mob", 256, 1)));
        ok(a.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("idle", 256, 1)));
        String beforeA = listing(a, "sys1");
        String beforeB = listing(b, "sys2");

        var v = migrlpar("v", "-t", "sys2");
        assertThat(v.exit()).isNotZero();
        assertThat(v.stdout().lines().toList()).hasSize(2).allMatch(l -> l.startsWith("HSCL1308 "))
                .anyMatch(l -> l.contains("named mob already exists")).anyMatch(l -> l.contains("ID 1 "));
        var m = migrlpar("m", "-t", "sys2");
        assertThat(m.exit()).isNotZero();
        assertThat(m.stdout()).isEqualTo(v.stdout());
        // a Not Activated partition may go (inactive mobility: no agent, no stream)
        var idle = a.hmc("migrlpar", "-o", "v", "-m", "sys1", "-t", "sys2", "-p", "idle");
        assertThat(idle.exit()).as(idle.stdout()).isZero();
        assertThat(migrlpar("v", "-t", "nosuch").stdout()).startsWith("HSCL8011 ");

        assertThat(listing(a, "sys1")).isEqualTo(beforeA);
        assertThat(listing(b, "sys2")).isEqualTo(beforeB);
        ok(b.hmc("rmsyscfg", "-r", "lpar", "-m", "sys2", "-n", "mob"));
        ok(a.hmc("rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "idle"));
        var valid = migrlpar("v", "-t", "sys2");
        assertThat(valid.exit()).as(valid.stdout()).isZero();
        assertThat(valid.stdout()).isEmpty();
    }

    @Test
    @Order(2)
    void aStoppedMigrationLeavesThePartitionRunningOnTheSource() throws Exception {
        long pid = qemuPid(a);
        CompletableFuture<RunningDaemon.Hmc> m = slowMigrationInFlight();
        assertThat(state(a, "sys1", "mob")).isEqualTo("Migrating - Running");
        assertThat(state(b, "sys2", "mob")).isEqualTo("Migrating - Running");
        assertThat(a.hmc("lslparmigr", "-r", "sys", "-m", "sys1").stdout())
                .contains("num_active_migrations_in_progress=1");

        ok(migrlpar("s"));
        RunningDaemon.Hmc r = m.get();
        assertThat(r.exit()).isNotZero();
        assertThat(r.stdout()).contains("was stopped");
        assertThat(state(a, "sys1", "mob")).isEqualTo("Running");
        assertThat(qemuPid(a)).isEqualTo(pid);
        assertThat(b.hmc("lssyscfg", "-r", "lpar", "-m", "sys2", "-F", "name").stdout()).doesNotContain("mob");
        assertThat(Files.exists(b.home().run().resolve("lpar/1"))).isFalse();
        assertThat(sh(a, "echo alive")).isEqualTo("alive\n");
    }

    @Test
    @Order(3)
    void aKilledTargetQemuLeavesItRunningOnTheSourceAndRecoverCleansTheTarget() throws Exception {
        CompletableFuture<RunningDaemon.Hmc> m = slowMigrationInFlight();
        ProcessHandle.of(qemuPid(b)).orElseThrow().destroyForcibly();
        RunningDaemon.Hmc r = m.get();
        assertThat(r.exit()).isNotZero();
        assertThat(r.stdout()).contains("failed");
        awaitState(a, "sys1", "mob", "Running", Duration.ofSeconds(30));
        assertThat(a.hmc("lslparmigr", "-r", "lpar", "-m", "sys1", "-F", "name,migration_state").stdout())
                .contains("mob,Migration Failed");

        ok(migrlpar("r", "-t", "sys2"));
        assertThat(b.hmc("lssyscfg", "-r", "lpar", "-m", "sys2", "-F", "name").stdout()).doesNotContain("mob");
        assertThat(a.hmc("lslparmigr", "-r", "lpar", "-m", "sys1", "-F", "name,migration_state").stdout())
                .contains("mob,Not Migrating");
        assertThat(migrlpar("r", "-t", "sys2").stdout()).contains("no failed migration to recover");
        assertThat(sh(a, "echo alive")).isEqualTo("alive\n");
    }

    @Test
    @Order(4)
    void aStreamWhoseKeyTheTargetDoesNotHoldIsRefusedAndThePartitionRunsOnHere() throws Exception {
        // The stream is a TLS session keyed for this migration only: a target given another key
        // (as a rogue listener would have none) takes nothing from it.
        long pid = qemuPid(a);
        MobilityTarget real = b.daemon().operations().mobilityTarget();
        a.daemon().operations().mobility().targets(n -> n.equals("sys2") ? Optional.of(new HeldTarget(real) {
            @Override
            public String prepare(MigrationRequest r) {
                return real.prepare(new MigrationRequest(r.sourceSystem(), r.partition(), r.profiles(), r.profile(),
                        r.allocation(), r.spec(), r.lmbMb(), r.disks(), StreamKey.fresh()));
            }

            @Override
            public void complete(String partition, Duration timeout) {
                real.complete(partition, timeout);
            }
        }) : Optional.empty());
        try {
            a.daemon().operations().mobility().bandwidth(10L << 30);
            RunningDaemon.Hmc r = migrlpar("m", "-t", "sys2");
            assertThat(r.exit()).as(r.stdout()).isNotZero();
            assertThat(r.stdout()).contains("failed");
            awaitState(a, "sys1", "mob", "Running", Duration.ofSeconds(30));
            assertThat(qemuPid(a)).isEqualTo(pid);
            assertThat(sh(a, "echo alive")).isEqualTo("alive\n");
            assertThat(b.hmc("lssyscfg", "-r", "lpar", "-m", "sys2", "-F", "name").stdout()).doesNotContain("mob");
            // the key is gone from the source's run directory once its stream is over
            assertThat(a.home().run().resolve("lpar/1/migration-tls/keys.psk")).doesNotExist();
        } finally {
            a.daemon().operations().mobility().targets(n -> n.equals("sys2") ? Optional.of(real) : Optional.empty());
            ok(migrlpar("r", "-t", "sys2"));
        }
    }

    @Test
    @Order(5)
    void aRunningPartitionMovesWithItsMacAndMemoryAndLeavesNothingOnTheSource() throws Exception {
        a.daemon().operations().mobility().bandwidth(10L << 30);
        String marker = UUID.randomUUID().toString();
        sh(a, "echo " + marker + " > /run/marker");
        String mac = a.hmc("lshwres", "-r", "virtualio", "--rsubtype", "eth", "--level", "lpar", "-m", "sys1",
                "--filter", "lpar_names=mob", "-F", "mac_addr").stdout().strip();
        String guestMac = sh(a, "cat /sys/class/net/eth0/address");
        long pid = qemuPid(a);
        List<Path> cgroups = cgroupDirs(pid);
        assertThat(cgroups).isNotEmpty().allMatch(Files::isDirectory);

        ok(migrlpar("m", "-t", "sys2"));

        awaitState(b, "sys2", "mob", "Running", Duration.ofSeconds(60));
        // Running as soon as the guest runs there; its agent answers a moment later.
        Await.on("mob's guest agent to answer on sys2", () -> Guests.exec(b, "mob", "/bin/true").status())
                .within(Duration.ofSeconds(60)).every(Guests.POLL).until(s -> s == 200);
        assertThat(sh(b, "cat /run/marker")).isEqualTo(marker + "\n");
        assertThat(sh(b, "cat /sys/class/net/eth0/address")).isEqualTo(guestMac);
        assertThat(b.hmc("lshwres", "-r", "virtualio", "--rsubtype", "eth", "--level", "lpar", "-m", "sys2",
                "--filter", "lpar_names=mob", "-F", "mac_addr").stdout().strip()).isEqualTo(mac);
        assertThat(b.hmc("lssyscfg", "-r", "prof", "-m", "sys2", "--filter", "lpar_names=mob", "-F", "name")
                .stdout().strip()).isEqualTo("default");
        // Nothing is left on the source: definition, QEMU, cgroups, run directory.
        assertThat(a.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name").stdout()).doesNotContain("mob");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(cgroups).noneMatch(Files::exists);
        assertThat(Files.exists(a.home().run().resolve("lpar/1"))).isFalse();
        var ports = new ObjectMapper().readTree(a.api("GET", "/api/v1/partitions", null).body());
        assertThat(ports.toString()).doesNotContain("\"mob\"");
    }

    /** The partition's own cgroup directories (v1: one per controller line that names it). */
    static List<Path> cgroupDirs(long pid) throws Exception {
        List<Path> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f[2].contains("/lpar1")) {
                String dir = f[2].substring(0, f[2].indexOf("/lpar1") + "/lpar1".length());
                out.add(Path.of("/sys/fs/cgroup", f[1].isEmpty() ? "unified" : f[1]).resolve(dir.substring(1)));
            }
        }
        return out;
    }

    /**
     * Holds each migration between the target's prepare and complete steps (the real target does
     * both), so that what both systems show in between can be looked at.
     */
    static class HeldTarget implements MobilityTarget {
        final MobilityTarget real;
        final CountDownLatch release = new CountDownLatch(1);

        HeldTarget(MobilityTarget real) {
            this.real = real;
        }

        @Override
        public String systemName() {
            return real.systemName();
        }

        @Override
        public List<io.parvirt.model.ModelException> validate(MigrationRequest r) {
            return real.validate(r);
        }

        @Override
        public String prepare(MigrationRequest r) {
            return real.prepare(r);
        }

        @Override
        public void complete(String partition, Duration timeout) {
            try {
                release.await(2, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            real.complete(partition, timeout);
        }

        @Override
        public io.parvirt.partition.MigrationOffer offer(io.parvirt.model.ProcUnits units, List<String> luns) {
            return real.offer(units, luns);
        }

        @Override
        public boolean abort(String partition) {
            return real.abort(partition);
        }

        @Override
        public boolean settle(String partition) {
            return real.settle(partition);
        }
    }

    @Test
    @Order(6)
    void aNotActivatedPartitionMovesItsDefinitionAndProfilesAndOneBeyondTheLimitIsRefused() throws Exception {
        for (int i = 1; i <= 3; i++) {
            ok(a.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("in" + i, 256, 1) + ",lpar_id="
                    + (10 + i) + ",virtual_eth_adapters=2/0/1//0/0"));
        }
        ok(a.hmc("mksyscfg", "-r", "prof", "-m", "sys1", "-i", Guests.lpar("second", 512, 1).replace(
                "name=second,profile_name=default", "name=second,lpar_name=in1").replace(",lpar_env=aixlinux", "")));
        String profiles = a.hmc("lssyscfg", "-r", "prof", "-m", "sys1", "--filter", "lpar_names=in1").stdout();
        assertThat(profiles.lines()).hasSize(2);
        HeldTarget held = new HeldTarget(b.daemon().operations().mobilityTarget());
        a.daemon().operations().mobility().targets(n -> n.equals("sys2") ? Optional.of(held) : Optional.empty());
        try {
            List<CompletableFuture<RunningDaemon.Hmc>> moves = new ArrayList<>();
            for (String n : List.of("in1", "in2")) {
                moves.add(CompletableFuture.supplyAsync(() -> a.hmc("migrlpar", "-o", "m", "-m", "sys1", "-t", "sys2",
                        "-p", n)));
            }
            Await.on("two inactive migrations in flight", () -> a.hmc("lslparmigr", "-r", "sys", "-m", "sys1").stdout())
                    .within(Duration.ofSeconds(60)).every(Guests.POLL)
                    .until(x -> x.contains("num_inactive_migrations_in_progress=2"));
            assertThat(state(a, "sys1", "in1")).isEqualTo("Migrating - Not Activated");
            // The source counts a migration from its start; the target defines the arrival at its prepare step.
            Await.on("in1 and in2 defined on sys2 as arrivals", () -> state(b, "sys2", "in1") + "/" + state(b, "sys2",
                    "in2")).within(Duration.ofSeconds(60)).every(Guests.POLL)
                    .until("Migrating - Not Activated/Migrating - Not Activated"::equals);
            assertThat(a.hmc("lslparmigr", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=in1", "-F",
                    "migration_state,migration_type,dest_sys_name").stdout())
                    .isEqualTo("Migration In Progress,inactive,sys2\n");
            assertThat(a.hmc("lslparmigr", "-r", "sys", "-m", "sys1", "-F", "inactive_lpar_mobility_capable,"
                    + "num_inactive_migrations_supported").stdout()).isEqualTo("1,2\n");
            // neither copy can be activated while it moves
            assertThat(a.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "in1", "-f", "default")
                    .exit()).isNotZero();
            assertThat(b.hmc("chsysstate", "-m", "sys2", "-r", "lpar", "-o", "on", "-n", "in1", "-f", "default")
                    .exit()).isNotZero();
            // the third at once is one beyond mobility.max_inactive: refused, nothing changed
            String beforeA = listing(a, "sys1");
            String beforeB = listing(b, "sys2");
            RunningDaemon.Hmc third = a.hmc("migrlpar", "-o", "m", "-m", "sys1", "-t", "sys2", "-p", "in3");
            assertThat(third.exit()).isNotZero();
            assertThat(third.stdout()).startsWith("HSCL130D ").contains("2 inactive migrations");
            assertThat(listing(a, "sys1")).isEqualTo(beforeA);
            assertThat(listing(b, "sys2")).isEqualTo(beforeB);

            held.release.countDown();
            for (CompletableFuture<RunningDaemon.Hmc> m : moves) {
                RunningDaemon.Hmc r = m.get(2, java.util.concurrent.TimeUnit.MINUTES);
                assertThat(r.exit()).as(r.stdout()).isZero();
            }
        } finally {
            held.release.countDown();
            a.daemon().operations().mobility().targets(n -> n.equals("sys2")
                    ? Optional.of(b.daemon().operations().mobilityTarget()) : Optional.empty());
        }
        assertThat(a.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name").stdout()).doesNotContain("in1")
                .doesNotContain("in2").contains("in3");
        assertThat(b.hmc("lssyscfg", "-r", "lpar", "-m", "sys2", "--filter", "lpar_names=in1,in2", "-F",
                "name,lpar_id,state").stdout()).isEqualTo("in1,11,Not Activated\nin2,12,Not Activated\n");
        assertThat(b.hmc("lssyscfg", "-r", "prof", "-m", "sys2", "--filter", "lpar_names=in1").stdout())
                .isEqualTo(profiles);
        // and it can run there
        ok(b.hmc("chsysstate", "-m", "sys2", "-r", "lpar", "-o", "on", "-n", "in1", "-f", "second", "--test"));
    }
}
