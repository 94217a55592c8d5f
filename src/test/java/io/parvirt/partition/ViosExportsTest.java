package io.parvirt.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hmc.HmcUsers;
import io.parvirt.model.Partition;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import io.parvirt.testing.Await;
import io.parvirt.testing.InProcessSystem;
import io.parvirt.vios.ViosService;
import io.parvirt.vios.nbd.ExportsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, hole 8 (second half): two VIOS commands on one running VIOS that finished together
 * could publish a stale export list (the refresh ran after the lock, with the list it had read).
 * Refreshes are serialised per VIOS with the list read inside: a second refresh of the same VIOS
 * waits for the first and then publishes the newest list; another VIOS's refresh does not wait.
 * A real VIOS service over a real store; the storage server's reload (a SIGHUP to a running VIOS's
 * server) is the test's own latch, as no VIOS runs here.
 */
@Tag("unit")
class ViosExportsTest {
    static final String SYS = InProcessSystem.SYS;
    static final String COMMON = "min_mem=256,desired_mem=512,max_mem=1024,proc_mode=shared,min_proc_units=0.1,"
            + "desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,"
            + "max_virtual_slots=20";

    @TempDir
    Path dir;
    /** A thread per refresh: the common pool may have one thread on a 2-core host and would queue them. */
    final ExecutorService threads = Executors.newCachedThreadPool();
    SqliteStore store;
    ManagedSystem sys;
    ViosService vios;
    Hmc hmc;
    ViosExports exports;

    @BeforeEach
    void define() {
        store = new SqliteStore(dir.resolve("parvirt.db"));
        sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "1234567", "127.0.0.1"), store,
                InProcessSystem.seed());
        vios = new ViosService(sys, store, dir.resolve("vios"));
        hmc = new Hmc(sys, new HmcUsers(store), new Hmc.Services(PartitionOperations.definitionOnly(sys), null,
                vios));
        exports = new ViosExports(vios);
        String defs = "name=vios1,lpar_id=2,profile_name=default,lpar_env=vioserver," + COMMON
                + ",\"virtual_scsi_adapters=11/server/any//any/1\"\n"
                + "name=vios2,lpar_id=3,profile_name=default,lpar_env=vioserver," + COMMON + "\n"
                + "name=lp1,lpar_id=5,profile_name=default,lpar_env=aixlinux," + COMMON
                + ",virtual_scsi_adapters=2/client/2/vios1/11/1\n";
        ok(hmc.run(new HmcInvocation(List.of("mksyscfg", "-r", "lpar", "-m", SYS, "-f", "/defs"), Map.of("/defs",
                defs), "local:test")));
        vios1("mksp -fb pool1 -size 64M");
    }

    @AfterEach
    void close() {
        threads.shutdownNow();
        store.close();
    }

    static void ok(HmcResult r) {
        assertThat(r.exitCode()).as(r.stdout()).isZero();
    }

    void vios1(String command) {
        ok(hmc.run(new HmcInvocation(List.of("viosvrcmd", "-m", SYS, "-p", "vios1", "-c", command), Map.of(),
                "local:test")));
    }

    Partition partition(int id) {
        return sys.definition().partition(id).orElseThrow();
    }

    @Test
    void aSecondRefreshOfOneViosWaitsForTheFirstAndPublishesTheNewestList() throws Exception {
        Path file = dir.resolve("exports-2.json");
        vios1("mkbdsp -sp pool1 8M -bd d1 -vadapter vhost0");
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger reloads = new AtomicInteger();
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> exports.refresh(partition(2), file, () -> {
            held.countDown();
            await(release);
            return reloads.incrementAndGet() > 0;
        }), threads);
        assertThat(held.await(60, TimeUnit.SECONDS)).as("the first refresh reached its reload").isTrue();
        List<?> older = ExportsFile.read(file);
        vios1("mkbdsp -sp pool1 8M -bd d2 -vadapter vhost0"); // the list changes while the first reloads
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> exports.refresh(partition(2), file,
                () -> reloads.incrementAndGet() > 0), threads);
        Thread.sleep(500); // what must not happen: the second one done while the first holds its VIOS
        assertThat(second).as("the second refresh of vios1 waits for the first").isNotDone();
        release.countDown();
        first.get(60, TimeUnit.SECONDS);
        second.get(60, TimeUnit.SECONDS);
        assertThat(ExportsFile.read(file)).as("the list published last is the newest").isEqualTo(vios.exportsOf(2))
                .isNotEqualTo(older).hasSize(older.size() + 1);
        assertThat(reloads).hasValue(2);
    }

    @Test
    void anotherViosRefreshesWhileOneIsHeld() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> exports.refresh(partition(2),
                dir.resolve("exports-2.json"), () -> {
                    held.countDown();
                    await(release);
                    return true;
                }), threads);
        try {
            assertThat(held.await(60, TimeUnit.SECONDS)).isTrue();
            Path other = dir.resolve("exports-3.json");
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> exports.refresh(partition(3), other,
                    () -> true), threads);
            Await.until("vios2's refresh while vios1's is held", Duration.ofSeconds(60), second::isDone);
            assertThat(Files.exists(other)).isTrue();
        } finally {
            release.countDown();
            first.get(60, TimeUnit.SECONDS);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
