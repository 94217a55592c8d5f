package io.parvirt.bench;

import io.parvirt.hypervisor.qga.GuestAgent;
import io.parvirt.hypervisor.qmp.Qmp;
import io.parvirt.hypervisor.qmp.QmpClient;
import io.parvirt.it.RunningDaemon;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Live migration time and downtime (issue 14): {@code migrlpar -o m} between two daemons (two
 * homes in this JVM, joined by the in-process mobility target), beside the anchor, QEMU's own
 * migration of the same guest (the same command line, read from the running QEMU) between two
 * hand-started QEMUs, with the same capabilities and bandwidth. Rounds alternate direction.
 *
 * <p>Total: parvirt from the {@code migrlpar} request to its answer; the anchor from the exec of
 * its {@code -incoming} QEMU to {@code query-migrate} saying completed. Downtime, seen from outside
 * the guest: the guest writes a line to its serial console every 10 ms ({@code usleep 10000});
 * the host timestamps each line as it arrives (parvirt: the console logs of both homes, polled
 * every millisecond; the anchor: the serial sockets, read directly), and the downtime is the
 * longest gap between lines across the migration, next to the longest gap in as long a window
 * without one (the jitter of the tick itself under TCG).
 */
public final class MigrationBench {
    /** {@code srcGoneMs}: from the answer until the source's QEMU (its memory) was gone; -1 for the anchor. */
    record Round(String who, long totalMs, long gapMs, long baselineGapMs, long qemuDowntimeMs, long pingGapMs,
            long pingBaselineMs, long srcGoneMs) {
    }

    /**
     * The network namespace bench/migrate.sh made for the pings (PING_NS; unset: no pings): a
     * bridge {@code br0} with 10.9.0.1/24 and two TAPs for the anchor's QEMUs. Each daemon's VIOS
     * has a trunk adapter, whose TAP the daemon puts on that bridge (vswitch.sea_netns/sea_bridge),
     * so the host reaches the guest (10.9.0.2) through whichever system runs it.
     */
    static final String PING_NS = System.getenv("PING_NS");
    static final String GUEST_IP = "10.9.0.2";
    static final String[] ANCHOR_TAPS = {"pvanc0", "pvanc1"};

    static final long BANDWIDTH = 10L << 30;
    /**
     * Whether parvirt's stream is TLS (STREAM_TLS, default true). Then the anchor moves the guest
     * both ways, plain ("anchor") and over TLS as parvirt sets it up ("anchor-tls": QEMU's PSK
     * credentials with parvirt's GnuTLS priority and DH parameters, {@code -incoming defer}), so
     * that each is compared with its like.
     */
    static final boolean STREAM_TLS = !"false".equals(System.getenv("STREAM_TLS"));
    static final String TICK = "(while :; do echo T; usleep 10000; done) </dev/null >/dev/ttyS0 2>&1 &";
    /**
     * DIRTY_MBPS=N: the guest also rewrites N MB of random data in tmpfs once a second (paced by
     * /proc/uptime; random, so that QEMU cannot send the pages as zero pages), the busy case.
     */
    static final int DIRTY_MBPS = Integer.parseInt(System.getenv().getOrDefault("DIRTY_MBPS", "0"));

    /** What the guest runs during the moves: the tick, and the dirtying loop when asked. */
    static String load() {
        if (DIRTY_MBPS <= 0) {
            return TICK;
        }
        String copy = "dd if=/dev/shm/src of=/dev/shm/dirty bs=1M count=" + DIRTY_MBPS + " conv=notrunc 2>/dev/null";
        return TICK + " dd if=/dev/urandom of=/dev/shm/src bs=1M count=" + DIRTY_MBPS + " 2>/dev/null; " + copy
                + "; (read u _ </proc/uptime; t=${u%.*}${u#*.}; while :; do " + copy + "; t=$((t+100)); "
                + "read u _ </proc/uptime; c=${u%.*}${u#*.}; [ $t -gt $c ] && usleep $(((t-c)*10000)); done) "
                + "</dev/null >/dev/null 2>&1 &";
    }

    public static void main(String[] args) throws Exception {
        // parvirt's phases of each migration (Mobility's INFO line) go to standard output beside the figures.
        for (String log : List.of("io.parvirt.partition.Mobility", "io.parvirt.partition.MobilityReceiver")) {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(log))
                    .setLevel(ch.qos.logback.classic.Level.INFO);
        }
        // the destination's switch-over (completed, cont, announce-self) and its answer to complete (debug)
        for (String log : List.of("io.parvirt.hypervisor.QemuMigration", "io.parvirt.partition.MobilityReceiver")) {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(log))
                    .setLevel(ch.qos.logback.classic.Level.DEBUG);
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int mem = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        List<Round> out = new ArrayList<>();
        // STREAM_TLS=false measures the plain stream (mobility.stream_tls=false on both systems)
        String tls = "mobility.stream_tls=" + System.getenv().getOrDefault("STREAM_TLS", "true") + "\n"
                + (PING_NS == null ? "" : "vswitch.sea_netns=" + PING_NS + "\nvswitch.sea_bridge=br0\n")
                + System.getenv().getOrDefault("DAEMON_CONFIG", "").replace(';', '\n') + "\n";
        try (RunningDaemon a = RunningDaemon.start(tls); RunningDaemon b = RunningDaemon.start("system.name=sys2\n" + tls)) {
            RunningDaemon[] d = {a, b};
            String[] sys = {"sys1", "sys2"};
            a.daemon().operations().mobility().targets(n -> n.equals("sys2")
                    ? Optional.of(b.daemon().operations().mobilityTarget()) : Optional.empty());
            b.daemon().operations().mobility().targets(n -> n.equals("sys1")
                    ? Optional.of(a.daemon().operations().mobilityTarget()) : Optional.empty());
            check(a.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=mob,profile_name=default,lpar_env=aixlinux,"
                    + "min_mem=" + mem + ",desired_mem=" + mem + ",max_mem=" + mem + ",proc_mode=shared,"
                    + "min_proc_units=0.1,desired_proc_units=1.0,max_proc_units=1.0,min_procs=1,desired_procs=1,"
                    + "max_procs=1,sharing_mode=uncap,uncap_weight=128,virtual_eth_adapters=2/0/1//0/0"));
            if (PING_NS != null) {
                // each system's VIOS bridges its switch to the pingers' bridge (its trunk adapter's TAP)
                for (int i = 0; i < 2; i++) {
                    check(d[i].hmc("mksyscfg", "-r", "lpar", "-m", sys[i], "-i", "name=VIOS" + (i + 1) + ",lpar_id="
                            + (i + 2) + ",profile_name=default,lpar_env=vioserver,min_mem=256,desired_mem=256,"
                            + "max_mem=256,proc_mode=shared,min_proc_units=0.1,desired_proc_units=0.1,"
                            + "max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=1,sharing_mode=uncap,"
                            + "uncap_weight=128,virtual_eth_adapters=2/0/1//1/0"));
                    check(d[i].hmc("chsysstate", "-m", sys[i], "-r", "lpar", "-o", "on", "-n", "VIOS" + (i + 1),
                            "-f", "default"));
                }
            }
            check(a.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "mob", "-f", "default"));
            awaitRunning(a, "sys1");
            if (PING_NS != null) {
                exec(a, "ip addr add " + GUEST_IP + "/24 dev eth0 && ip link set eth0 up");
            }
            List<String> cmdline = List.of(Files.readString(Path.of("/proc/" + Files.readString(a.home().run()
                    .resolve("lpar/1/qemu.pid")).strip() + "/cmdline")).split("\0"));
            exec(a, load());
            for (int i = 0; i < rounds; i++) {
                RunningDaemon from = d[i % 2];
                RunningDaemon to = d[(i + 1) % 2];
                out.add(parvirtRound(from, sys[i % 2], to, sys[(i + 1) % 2]));
            }
            // Leave the partition where it started, then stop it: the anchor gets the machine alone.
            RunningDaemon last = d[rounds % 2];
            check(last.hmc("chsysstate", "-m", sys[rounds % 2], "-r", "lpar", "-o", "shutdown", "--immed", "-n",
                    "mob"));
            out.addAll(anchor(cmdline, a.home().run().resolve("lpar/1").toString(), rounds, STREAM_TLS));
        }
        report(out, rounds, mem);
    }

    static Round parvirtRound(RunningDaemon from, String fromSys, RunningDaemon to, String toSys) throws Exception {
        List<Long> ticks = new CopyOnWriteArrayList<>();
        Path src = consoleLog(from);
        Thread tail = Thread.ofVirtual().start(() -> tailFiles(List.of(src, to.home().root()), ticks));
        Pings pings = Pings.start();
        Thread.sleep(3000);
        ProcessHandle srcQemu = ProcessHandle.of(Long.parseLong(Files.readString(from.home().run()
                .resolve("lpar/1/qemu.pid")).strip())).orElseThrow();
        long t0 = System.nanoTime();
        long w0 = System.currentTimeMillis();
        check(from.hmc("migrlpar", "-o", "m", "-m", fromSys, "-t", toSys, "-p", "mob"));
        long t1 = System.nanoTime();
        long w1 = System.currentTimeMillis();
        // the source's memory: its QEMU gone (0: already at the answer, which follows the reclaim)
        while (srcQemu.isAlive() && System.nanoTime() - t1 < 5_000_000_000L) {
            Thread.sleep(1);
        }
        long srcGone = srcQemu.isAlive() ? 5000 : (System.nanoTime() - t1) / 1_000_000;
        Thread.sleep(1500);
        tail.interrupt();
        tail.join();
        List<Long> replies = pings.stop();
        awaitRunning(to, toSys);
        return new Round("parvirt", (t1 - t0) / 1_000_000, maxGap(ticks, t0, t1 + 1_000_000_000L),
                maxGap(ticks, t0 - 2_500_000_000L, t0), -1, Pings.gap(replies, w0, w1 + 1000),
                Pings.gap(replies, w0 - 2500, w0), srcGone);
    }

    /**
     * Pings of the guest every 10 ms from the host, in the bench's network namespace ({@code ping
     * -D}: each reply with its wall-clock time, so the pipe's buffering does not matter); the
     * downtime seen from outside is the longest gap between replies across the migration, beside
     * the longest in 2.5 s before it (their jitter with no migration). Without PING_NS, none (-1).
     */
    record Pings(Process process) {
        static Pings start() throws Exception {
            if (PING_NS == null) {
                return new Pings(null);
            }
            return new Pings(new ProcessBuilder("ip", "netns", "exec", PING_NS, "ping", "-D", "-n", "-i", "0.01",
                    GUEST_IP).redirectErrorStream(true).start());
        }

        /** Ends the pings (SIGINT: ping flushes what it printed) and returns the replies' times, ms since the epoch. */
        List<Long> stop() throws Exception {
            if (process == null) {
                return List.of();
            }
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
            List<Long> out = new ArrayList<>();
            java.util.regex.Pattern reply = java.util.regex.Pattern.compile("^\\[(\\d+)\\.(\\d{6})\\] \\d+ bytes from");
            for (String l : new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).lines()
                    .toList()) {
                var m = reply.matcher(l);
                if (m.find()) {
                    out.add(Long.parseLong(m.group(1)) * 1000 + Long.parseLong(m.group(2)) / 1000);
                }
            }
            process.waitFor();
            return out;
        }

        static long gap(List<Long> replies, long fromMs, long toMs) {
            if (PING_NS == null) {
                return -1;
            }
            List<Long> t = replies.stream().filter(x -> x >= fromMs && x <= toMs).sorted().toList();
            long max = t.isEmpty() ? toMs - fromMs : 0;
            for (int i = 1; i < t.size(); i++) {
                max = Math.max(max, t.get(i) - t.get(i - 1));
            }
            return max;
        }
    }

    /** The partition's console log under a home (its run directory names no UUID: found by name). */
    static Path consoleLog(RunningDaemon d) throws Exception {
        try (Stream<Path> s = Files.walk(d.home().root())) {
            return s.filter(p -> p.getFileName().toString().equals("mob.log")).findFirst().orElseThrow();
        }
    }

    /**
     * Polls the files every millisecond and records when each tick line arrives. An entry that is
     * a directory stands for the console log that appears under it (the target's, once it runs).
     */
    static void tailFiles(List<Path> entries, List<Long> ticks) {
        Map<Path, Long> seen = new java.util.HashMap<>();
        List<Path> files = new ArrayList<>();
        for (Path e : entries) {
            if (!Files.isDirectory(e)) {
                files.add(e);
                seen.put(e, size(e));
            }
        }
        Path dir = entries.stream().filter(Files::isDirectory).findFirst().orElse(null);
        long walked = 0;
        while (!Thread.currentThread().isInterrupted()) {
            // The target's log is looked for every 20 ms, not at each 1 ms poll: a walk of a whole home
            // each millisecond took CPU from the very migration being measured (parvirt's only), and
            // the log is there from the target's prepare step, long before the guest runs there.
            if (dir != null && files.size() < entries.size() && System.nanoTime() - walked > 20_000_000L) {
                walked = System.nanoTime();
                try (Stream<Path> s = Files.walk(dir)) {
                    s.filter(p -> p.getFileName().toString().equals("mob.log")).findFirst().ifPresent(p -> {
                        files.add(p);
                        seen.put(p, 0L);
                    });
                } catch (Exception e) {
                    // not there yet
                }
            }
            long now = System.nanoTime();
            for (Path f : files) {
                long n = size(f);
                long before = seen.get(f);
                if (n > before) {
                    try {
                        byte[] all = Files.readAllBytes(f);
                        String added = new String(all, (int) Math.min(before, all.length),
                                (int) Math.max(0, Math.min(n, all.length) - before), StandardCharsets.US_ASCII);
                        added.lines().filter(l -> l.strip().equals("T")).forEach(l -> ticks.add(now));
                    } catch (Exception e) {
                        // rotated meanwhile: skip
                    }
                    seen.put(f, n);
                }
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static long size(Path f) {
        try {
            return Files.size(f);
        } catch (Exception e) {
            return 0;
        }
    }

    static long maxGap(List<Long> ticks, long from, long to) {
        List<Long> t = new ArrayList<>(ticks.stream().filter(x -> x >= from && x <= to).toList());
        Collections.sort(t);
        long max = 0;
        for (int i = 1; i < t.size(); i++) {
            max = Math.max(max, t.get(i) - t.get(i - 1));
        }
        return max / 1_000_000;
    }

    /** QEMU's own migration of the same guest: the same command line, in two directories of its own. */
    static List<Round> anchor(List<String> cmdline, String runDir, int rounds, boolean tlsToo) throws Exception {
        List<Round> out = new ArrayList<>();
        Path base = Files.createTempDirectory("parvirt-migrate-anchor-");
        try {
            Path[] dirs = {Files.createDirectories(base.resolve("a")), Files.createDirectories(base.resolve("b"))};
            start(cmdline, runDir, dirs[0], null, 0);
            awaitMonitor(dirs[0]);
            GuestAgent agent = new GuestAgent(dirs[0].resolve("qga.sock"));
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            while (!agent.ping(Duration.ofSeconds(2))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the anchor's guest did not answer");
                }
            }
            agent.exec("/bin/sh", List.of("-c", load()), Duration.ofSeconds(60));
            if (PING_NS != null) {
                agent.exec("/bin/sh", List.of("-c", "ip addr add " + GUEST_IP + "/24 dev eth0 && ip link set eth0 up"),
                        Duration.ofSeconds(30));
            }
            Path tls = null;
            if (tlsToo) {
                tls = Files.createDirectories(base.resolve("tls"));
                Files.writeString(tls.resolve("keys.psk"), io.parvirt.hypervisor.StreamKey.fresh().pskLine());
                // public parameters, as parvirt gives its receiving QEMU (without, QEMU generates them: seconds)
                new ProcessBuilder("openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt",
                        "group:ffdhe2048", "-out", tls.resolve("dh-params.pem").toString()).inheritIO().start()
                        .waitFor();
            }
            int moves = tlsToo ? 2 * rounds : rounds;
            for (int i = 0; i < moves; i++) {
                out.add(anchorRound(cmdline, runDir, dirs[i % 2], dirs[(i + 1) % 2], (i + 1) % 2,
                        i % 2 == 1 ? tls : null));
            }
            quit(dirs[moves % 2]);
        } finally {
            try (Stream<Path> s = Files.walk(base)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            if (ANCHOR_CGROUP != null) {
                Thread.sleep(500); // the last QEMU's exit
                ANCHOR_CGROUP.toFile().delete();
            }
        }
        return out;
    }

    /** One move of the anchor; {@code tls} the credentials' directory for a TLS stream, or null (plain). */
    static Round anchorRound(List<String> cmdline, String runDir, Path src, Path dst, int dstTap, Path tls)
            throws Exception {
        List<Long> ticks = new CopyOnWriteArrayList<>();
        Thread srcTail = Thread.ofVirtual().start(() -> readSerial(src.resolve("serial.sock"), ticks));
        Pings pings = Pings.start();
        Thread.sleep(3000);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        long w0 = System.currentTimeMillis();
        start(cmdline, runDir, dst, tls == null ? "tcp:127.0.0.1:" + port : "defer", dstTap);
        // QEMU sets up -incoming before its main loop: once its monitor answers, it listens.
        awaitMonitor(dst);
        long tMon = System.nanoTime();
        if (tls != null) {
            // as parvirt's target does: the credentials, then the listening socket
            try (QmpClient c = QmpClient.connect(dst.resolve("qmp.sock"), e -> { })) {
                Qmp q = new Qmp(c);
                q.addTlsPskCredentials("mig-tls", tls.toString(), true, io.parvirt.hypervisor.StreamKey.IDENTITY,
                        io.parvirt.hypervisor.StreamKey.TLS_PRIORITY);
                q.migrateSetParameters(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                        .put("tls-creds", "mig-tls"));
                q.migrateIncoming("tcp:127.0.0.1:" + port);
            }
        }
        Thread dstTail = Thread.ofVirtual().start(() -> readSerial(dst.resolve("serial.sock"), ticks));
        Qmp.MigrationInfo info;
        long tMig;
        try (QmpClient c = QmpClient.connect(src.resolve("qmp.sock"), e -> { })) {
            Qmp q = new Qmp(c);
            q.migrateSetCapabilities(Map.of("events", true, "auto-converge", true));
            if (tls != null) {
                try {
                    q.objectDel("mig-tls"); // the server's, from when this QEMU received
                } catch (io.parvirt.hypervisor.qmp.QmpException e) {
                    // none yet
                }
                q.addTlsPskCredentials("mig-tls", tls.toString(), false, io.parvirt.hypervisor.StreamKey.IDENTITY,
                        io.parvirt.hypervisor.StreamKey.TLS_PRIORITY);
            }
            q.migrateSetParameters(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                    .put("max-bandwidth", BANDWIDTH).put("tls-creds", tls == null ? "" : "mig-tls"));
            tMig = System.nanoTime();
            q.migrate("tcp:127.0.0.1:" + port);
            do {
                Thread.sleep(5);
                info = q.queryMigrate();
            } while (!info.over());
        }
        long t1 = System.nanoTime();
        long w1 = System.currentTimeMillis();
        System.out.println((tls == null ? "anchor" : "anchor-tls") + ": exec to monitor " + (tMon - t0) / 1_000_000
                + " ms, to migrate " + (tMig - t0) / 1_000_000 + " ms, migrate to completed seen "
                + (t1 - tMig) / 1_000_000 + " ms (QEMU's total-time " + info.totalTimeMs() + " ms, downtime "
                + info.downtimeMs() + " ms)");
        if (!info.status().equals("completed")) {
            throw new IllegalStateException("anchor migration " + info.status() + ": " + info.error());
        }
        Thread.sleep(1500);
        List<Long> replies = pings.stop();
        quit(src);
        srcTail.interrupt();
        dstTail.interrupt();
        return new Round(tls == null ? "anchor" : "anchor-tls", (t1 - t0) / 1_000_000, maxGap(ticks, t0, t1 + 1_000_000_000L),
                maxGap(ticks, t0 - 2_500_000_000L, t0), info.downtimeMs(), Pings.gap(replies, w0, w1 + 1000),
                Pings.gap(replies, w0 - 2500, w0), -1);
    }

    /**
     * Until QEMU's monitor answers (it runs in the foreground, as parvirt starts it since it is
     * confined: there is no daemonizing parent to wait for).
     */
    static void awaitMonitor(Path dir) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (QmpClient c = QmpClient.connect(dir.resolve("qmp.sock"), e -> { })) {
                return;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(1);
            }
        }
    }

    static void quit(Path dir) {
        try (QmpClient c = QmpClient.connect(dir.resolve("qmp.sock"), e -> { })) {
            new Qmp(c).quit();
        } catch (Exception e) {
            // gone already
        }
    }

    static void readSerial(Path socket, List<Long> ticks) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (!Thread.currentThread().isInterrupted() && ch.read(buf) >= 0) {
                long now = System.nanoTime();
                buf.flip();
                while (buf.hasRemaining()) {
                    if (buf.get() == 'T') {
                        ticks.add(now);
                    }
                }
                buf.clear();
            }
        } catch (Exception e) {
            // the QEMU went away
        }
    }

    /**
     * ANCHOR_CGROUP=1 (cgroup v1): the anchor's QEMUs run where parvirt's do, in one group beside the
     * homes' under the cpu controller's {@code parvirt} group (default shares), instead of at the
     * root, where each of their threads weighs as much as the whole {@code parvirt} group: the
     * comparison of like with like on a host with other work.
     */
    static final Path ANCHOR_CGROUP = "1".equals(System.getenv("ANCHOR_CGROUP"))
            ? Path.of("/sys/fs/cgroup/cpu/parvirt/bench-anchor-" + ProcessHandle.current().pid()) : null;

    /**
     * The anchor's QEMU: parvirt's command line in {@code dir}; with pings, in the bench's namespace
     * with its NIC on TAP {@code tap} of the bridge there (QEMU announces itself after an incoming
     * migration, so the bridge learns the guest's new port as parvirt's switch does).
     */
    static Process start(List<String> cmdline, String runDir, Path dir, String incoming, int tap) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (ANCHOR_CGROUP != null) {
            Files.createDirectories(ANCHOR_CGROUP);
            cmd.addAll(List.of("sh", "-c", "echo $$ > " + ANCHOR_CGROUP.resolve("cgroup.procs") + " && exec \"$@\"",
                    "sh"));
        }
        if (PING_NS != null) {
            cmd.addAll(List.of("ip", "netns", "exec", PING_NS));
        }
        for (String s : cmdline) {
            String id = s.startsWith("stream,id=net") ? s.substring("stream,id=".length(), s.indexOf(',', 10)) : null;
            cmd.add(PING_NS != null && id != null ? "tap,id=" + id + ",ifname=" + ANCHOR_TAPS[tap]
                    + ",script=no,downscript=no" : s.replace(runDir, dir.toString()));
        }
        if (incoming != null) {
            cmd.addAll(cmd.indexOf("-pidfile"), List.of("-incoming", incoming));
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("qemu.out").toFile())
                .start();
    }

    static void exec(RunningDaemon d, String script) {
        var r = d.api("POST", "/api/v1/partitions/mob/exec", "{\"argv\":[\"/bin/sh\",\"-c\",\""
                + script.replace("\"", "\\\"") + "\"]}");
        if (r.statusCode() != 200) {
            throw new IllegalStateException(r.body());
        }
    }

    static void check(RunningDaemon.Hmc r) {
        if (r.exit() != 0) {
            throw new IllegalStateException(r.stdout());
        }
    }

    static void awaitRunning(RunningDaemon d, String sys) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (!d.hmc("lssyscfg", "-r", "lpar", "-m", sys, "--filter", "lpar_names=mob", "-F", "state").stdout()
                .strip().equals("Running")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("mob is not Running on " + sys);
            }
            Thread.sleep(200);
        }
    }

    static long median(List<Long> v) {
        List<Long> s = v.stream().sorted().toList();
        return s.isEmpty() ? -1 : s.get(s.size() / 2);
    }

    static void report(List<Round> rounds, int n, int mem) {
        StringBuilder b = new StringBuilder("Live migration of a " + mem + " MB " + (DIRTY_MBPS > 0 ? "TCG guest rewriting "
                + DIRTY_MBPS + " MB of random data a second" : "idle TCG guest") + " with one virtual "
                + "Ethernet adapter, " + n + " rounds per side, alternating direction; bandwidth cap "
                + (BANDWIDTH >> 20) + " MiB/s, auto-converge, loopback TCP; parvirt's stream "
                + (STREAM_TLS ? "TLS (the anchor both plain and TLS)" : "plain") + "\n\n");
        b.append(String.format("%-10s %10s %10s %12s %12s %12s %16s %12s%n", "who", "total_ms", "gap_ms",
                "baseline_ms", "qemu_down_ms", "ping_gap_ms", "ping_baseline_ms", "src_gone_ms"));
        for (Round r : rounds) {
            b.append(String.format("%-10s %10d %10d %12d %12d %12d %16d %12d%n", r.who(), r.totalMs(), r.gapMs(),
                    r.baselineGapMs(), r.qemuDowntimeMs(), r.pingGapMs(), r.pingBaselineMs(), r.srcGoneMs()));
        }
        for (String who : List.of("parvirt", "anchor", "anchor-tls")) {
            List<Round> rs = rounds.stream().filter(r -> r.who().equals(who)).toList();
            if (rs.isEmpty()) {
                continue;
            }
            b.append(String.format("median %-10s total %d ms, gap %d ms, baseline gap %d ms, ping gap %d ms, ping "
                    + "baseline gap %d ms%n", who, median(rs.stream().map(Round::totalMs).toList()),
                    median(rs.stream().map(Round::gapMs).toList()), median(rs.stream().map(Round::baselineGapMs)
                    .toList()), median(rs.stream().map(Round::pingGapMs).toList()),
                    median(rs.stream().map(Round::pingBaselineMs).toList())));
        }
        System.out.print(b);
        try {
            Path out = Path.of("bench/results");
            Files.createDirectories(out);
            Files.writeString(out.resolve("migrate.txt"), b.toString());
        } catch (Exception e) {
            System.err.println("bench: results not written: " + e.getMessage());
        }
    }

}
