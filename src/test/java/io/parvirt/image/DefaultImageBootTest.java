package io.parvirt.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.parvirt.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default image, built for real from Debian packages and booted for real under QEMU/TCG: the
 * ready line, the guest agent, networking from the command line, the power button and a panic.
 */
@Tag("guest")
class DefaultImageBootTest {
    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration REPLY = Duration.ofSeconds(20);

    static TestImages.Build build;

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildOnce() throws Exception {
        HostTools.require("qemu-system-x86_64", "qemu-system-x86");
        HostTools.require("cpio", "cpio");
        build = TestImages.defaultImage();
    }

    @Test
    void buildLeavesOneCompleteImageAndNoAbandonedBuild() throws Exception {
        assertThat(build.store().list()).containsExactly(build.image());
        assertThat(build.image().name()).isEqualTo("default");
        assertThat(build.image().description()).startsWith("Debian cloud kernel ").contains("qemu-guest-agent");
        assertThat(build.abandoned()).doesNotExist();
        // Built again from the cache: nothing downloaded, and the image is replaced in place.
        long t = System.nanoTime();
        StringBuilder said = new StringBuilder();
        PartitionImage again = build.store().build(l -> said.append(l).append('\n'));
        System.out.println("rebuild from cache took " + (System.nanoTime() - t) / 1_000_000 + " ms");
        assertThat(said.toString()).doesNotContain("downloading").doesNotContain("unpacking");
        assertThat(again).isEqualTo(build.image());
        assertThat(build.store().ensureDefault(l -> { })).isEqualTo(build.image());
    }

    @Test
    void concurrentFirstUsesBuildTheImageOnce() throws Exception {
        Path dir = tmp.resolve("images");
        AtomicInteger builds = new AtomicInteger();
        List<Future<PartitionImage>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            for (int i = 0; i < 3; i++) {
                // Separate stores on one directory, as a daemon and a CLI command would have.
                ImageStore store = new ImageStore(dir, TestImages.CACHE);
                results.add(pool.submit(() -> store.ensureDefault(l -> {
                    if (l.startsWith("writing initramfs")) {
                        builds.incrementAndGet();
                    }
                })));
            }
        }
        for (Future<PartitionImage> r : results) {
            assertThat(r.get().kernel()).isEqualTo(dir.resolve("default/vmlinuz"));
        }
        assertThat(builds).hasValue(1);
    }

    @Test
    void initramfsLoadsModulesAfterTheirDependencies() throws Exception {
        String modules = extract(build.image().initramfs(), GuestInit.MODULE_LIST);
        List<String> names = modules.lines().map(l -> l.split(" ")[0].replaceAll(".*/|\\.ko$", "")).toList();
        assertThat(names).containsSubsequence("virtio_ring", "virtio", "virtio_pci_legacy_dev",
                "virtio_pci_modern_dev", "virtio_pci", "virtio_net", "scsi_common", "scsi_mod", "sd_mod",
                "virtio_scsi", "virtio_blk", "virtio_console", "virtio_balloon", "virtio_mem");
        assertThat(names).containsSubsequence("failover", "net_failover", "virtio_net");
        assertThat(names).containsSubsequence("cdrom", "sr_mod");
        assertThat(names).containsSubsequence("llc", "stp", "garp", "8021q");
        assertThat(names).containsSubsequence("mrp", "8021q");
        assertThat(names).containsSubsequence("pvpanic", "pvpanic-mmio");
        assertThat(names).doesNotHaveDuplicates();
        assertThat(modules).contains("virtio_console.ko required").contains("8021q.ko optional")
                .contains("virtio_mem.ko required");
    }

    @Test
    void bootsToReadyLineAnswersTheAgentAndShutsDown() throws Exception {
        String cmdline = GuestBoot.kernelCmdline("lp1", "");
        try (GuestVm vm = new GuestVm(build.image(), cmdline, tmp, List.of())) {
            double ready = vm.awaitConsole(GuestBoot.readyLine("lp1"), READY);
            System.out.printf("ready line after %.2f s%n", ready);
            assertThat(vm.console()).containsOnlyOnce(GuestBoot.READY_PREFIX);
            System.out.println("console of lp1:\n" + vm.console());

            try (JsonLineChannel agent = new JsonLineChannel(vm.agentSocket)) {
                sync(agent);
                assertThat(agent.call("{\"execute\":\"guest-ping\"}", REPLY).has("return")).isTrue();
                String meminfo = exec(agent, "/bin/cat", "/proc/meminfo");
                Matcher m = Pattern.compile("MemTotal:\\s+(\\d+) kB").matcher(meminfo);
                assertThat(m.find()).as(meminfo).isTrue();
                long memKb = Long.parseLong(m.group(1));
                assertThat(memKb).isBetween(200L * 1024, 256L * 1024);
                assertThat(exec(agent, "/bin/hostname")).isEqualTo("lp1\n");
                assertThat(exec(agent, "nproc")).as("found on the agent's PATH").isEqualTo("1\n");
                assertThat(exec(agent, "/bin/cat", "/etc/os-release")).contains("ID=parvirt");

                long t = System.nanoTime();
                agent.send("{\"execute\":\"guest-shutdown\"}");
                assertThat(vm.exitsWithin(Duration.ofSeconds(30))).as("QEMU exits after guest-shutdown").isTrue();
                System.out.printf("guest-shutdown to QEMU exit %.2f s%n", (System.nanoTime() - t) / 1e9);
                assertThat(vm.qemu.exitValue()).isZero();
            }
        }
    }

    @Test
    void appliesNetworkSettingsAndPowersOffOnThePowerButton() throws Exception {
        String cmdline = GuestBoot.kernelCmdline("lp2",
                "parvirt.ip=eth0:10.0.2.15/24:10.0.2.2 parvirt.vlans=eth0.100:10.1.0.2/24,eth0.200:10.2.0.2/24");
        List<String> nic = List.of("-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0");
        try (GuestVm vm = new GuestVm(build.image(), cmdline, tmp, nic)) {
            vm.awaitConsole(GuestBoot.readyLine("lp2"), READY);
            try (JsonLineChannel agent = new JsonLineChannel(vm.agentSocket)) {
                sync(agent);
                String addrs = exec(agent, "/bin/busybox", "ip", "-o", "-4", "addr");
                assertThat(addrs).containsPattern("eth0\\s+inet 10\\.0\\.2\\.15/24")
                        .containsPattern("eth0\\.100\\s+inet 10\\.1\\.0\\.2/24")
                        .containsPattern("eth0\\.200\\s+inet 10\\.2\\.0\\.2/24");
                assertThat(exec(agent, "/bin/busybox", "ip", "route")).contains("default via 10.0.2.2 dev eth0");
                assertThat(exec(agent, "/bin/cat", "/proc/net/vlan/config")).contains("eth0.100").contains("| 100");
            }
            try (JsonLineChannel qmp = new JsonLineChannel(vm.qmpSocket)) {
                assertThat(qmp.next(REPLY).has("QMP")).isTrue();
                assertThat(qmp.call("{\"execute\":\"qmp_capabilities\"}", REPLY).has("return")).isTrue();
                qmp.send("{\"execute\":\"system_powerdown\"}");
                assertThat(vm.exitsWithin(Duration.ofSeconds(30))).as("QEMU exits after the power button").isTrue();
            }
        }
    }

    @Test
    void panicIsPrintedAndNeverRebootsInALoop() throws Exception {
        // No /init: the kernel finds nothing to run and panics before any module is loaded.
        String cmdline = GuestBoot.kernelCmdline("lp3", "rdinit=/no-such-init");
        try (GuestVm vm = new GuestVm(build.image(), cmdline, tmp, List.of())) {
            vm.awaitConsole(GuestBoot.PANIC_TEXT, READY);
            // -no-reboot would make a reboot end QEMU; panic=0 keeps the guest halted instead.
            assertThat(vm.exitsWithin(Duration.ofSeconds(3))).as("QEMU still there, halted").isFalse();
            assertThat(vm.console()).containsOnlyOnce("] Kernel panic - not syncing");
        }
    }

    @Test
    void panicAfterBootReachesQemuThroughPvpanic() throws Exception {
        String cmdline = GuestBoot.kernelCmdline("lp4", "");
        try (GuestVm vm = new GuestVm(build.image(), cmdline, tmp, List.of("-device", "pvpanic"))) {
            vm.awaitConsole(GuestBoot.readyLine("lp4"), READY);
            try (JsonLineChannel agent = new JsonLineChannel(vm.agentSocket)) {
                sync(agent);
                agent.send("{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"/bin/sh\","
                        + "\"arg\":[\"-c\",\"echo c > /proc/sysrq-trigger\"]}}");
                vm.awaitConsole(GuestBoot.PANIC_TEXT, READY);
                // QEMU's default panic action (shutdown) ends the process once pvpanic reports it.
                assertThat(vm.exitsWithin(Duration.ofSeconds(30))).as("QEMU exits on GUEST_PANICKED").isTrue();
            }
        }
    }

    private static void sync(JsonLineChannel agent) throws Exception {
        agent.send("{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1234}}");
        // An agent still starting may miss the first sync; ask again until it answers with our id.
        for (int attempt = 0; ; attempt++) {
            try {
                JsonNode r = agent.next(Duration.ofSeconds(5));
                if (r.path("return").asLong() == 1234) {
                    return;
                }
            } catch (AssertionError e) {
                if (attempt > 6) {
                    throw e;
                }
                agent.send("{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1234}}");
            }
        }
    }

    /** Runs a program through guest-exec and returns its decoded stdout. */
    private static String exec(JsonLineChannel agent, String path, String... args) throws Exception {
        StringBuilder json = new StringBuilder("{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"" + path
                + "\",\"capture-output\":true,\"arg\":[");
        for (int i = 0; i < args.length; i++) {
            json.append(i == 0 ? "" : ",").append('"').append(args[i]).append('"');
        }
        JsonNode started = agent.call(json.append("]}}").toString(), REPLY);
        long pid = started.path("return").path("pid").asLong(-1);
        assertThat(pid).as(started.toString()).isPositive();
        JsonNode s = Await.on(path + " to finish in the guest (guest-exec-status)",
                () -> agent.call("{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":" + pid + "}}", REPLY)
                        .path("return")).within(REPLY).every(Duration.ofMillis(50)).until(r -> r.path("exited").asBoolean());
        assertThat(s.path("exitcode").asInt()).as(s.toString()).isZero();
        return new String(Base64.getDecoder().decode(s.path("out-data").asText("")), StandardCharsets.UTF_8);
    }

    private static String extract(Path initramfs, String member) throws Exception {
        Process p = new ProcessBuilder("cpio", "-i", "--to-stdout", member).redirectInput(initramfs.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.exists(initramfs)).isTrue();
        return out;
    }
}
