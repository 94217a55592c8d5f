package io.parvirt.daemon;

import io.parvirt.durable.AtomicFile;
import io.parvirt.api.ApiServer;
import io.parvirt.api.Auth;
import io.parvirt.dispatch.Dispatcher;
import io.parvirt.dispatch.UtilizationSampler;
import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcUsers;
import io.parvirt.home.ParvirtHome;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.PartitionStatus;
import io.parvirt.image.ImageStore;
import io.parvirt.model.SystemDefinition;
import io.parvirt.vswitch.VirtualEthernet;
import java.util.List;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.Capacity;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running daemon of one home. */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    private final ParvirtHome home;
    private final FileChannel lockChannel;
    private final SqliteStore store;
    private final ApiServer api;
    private final Dispatcher dispatcher;
    private final UtilizationSampler sampler;
    private final VirtualEthernet network;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** The connections to other systems' daemons (mksysconn). */
    private io.parvirt.remote.SystemConnections connections;
    /** The HMC over SSH, when {@code ssh.listen} is set. */
    private io.parvirt.ssh.SshEndpoint ssh;
    private PartitionOperations operations;
    private Hypervisor hypervisor;

    private Daemon(ParvirtHome home, FileChannel lockChannel, SqliteStore store, ApiServer api, Dispatcher dispatcher,
            UtilizationSampler sampler, VirtualEthernet network) {
        this.home = home;
        this.lockChannel = lockChannel;
        this.store = store;
        this.api = api;
        this.dispatcher = dispatcher;
        this.sampler = sampler;
        this.network = network;
    }

    /**
     * The partition operations of this daemon's system. In production {@code migrlpar -t} reaches
     * connected systems' daemons; in-process tests and the migration bench join two daemons here
     * ({@code mobility().targets}) without a network between them.
     */
    public PartitionOperations operations() {
        return operations;
    }

    /** Set once at start: the TLS certificate's fingerprint when the TCP listener speaks TLS. */
    private java.util.Optional<String> tlsFingerprint = java.util.Optional.empty();

    /** The SHA-256 fingerprint of the API's TLS certificate, for clients to pin; empty without TLS. */
    public java.util.Optional<String> tlsFingerprint() {
        return tlsFingerprint;
    }

    /** What the dispatcher works on: shared capacity, pools, and every partition that has a QEMU. */
    private static Dispatcher.Snapshot snapshot(ManagedSystem sys, Hypervisor hypervisor) {
        SystemDefinition def = sys.definition();
        List<Dispatcher.Running> running = new java.util.ArrayList<>();
        for (PartitionStatus st : hypervisor.running()) {
            if (st.allocation() != null && st.pid() > 0 && !st.vcpuThreads().isEmpty()) {
                String name = def.partition(st.lparId()).map(p -> p.name()).orElse("lpar" + st.lparId());
                running.add(new Dispatcher.Running(st.lparId(), name, st.pid(), st.vcpuThreads(), st.allocation(),
                        st.paused()));
            }
        }
        // Only the configurable cores: the whole Capacity (memory model over every defined partition)
        // is not worth computing ten times a second.
        double configurable = Capacity.configurableProcUnits(sys.host(), def.settings()).hundredths() / 100.0;
        return new Dispatcher.Snapshot(configurable, def.pools(), running);
    }

    /** Starts a daemon for {@code home}; {@code listen} overrides the configured TCP address. */
    public static Daemon start(ParvirtHome home, String listen) throws DaemonException {
        // before its first file: what the daemon and its QEMUs make is born owner-only (a process-wide mask)
        io.parvirt.home.Umask.ownerOnly();
        for (java.nio.file.Path socket : home.secure()) {
            LOG.warn("socket {} was open to more than its owner: made rw------- (rw-rw---- for its group where "
                    + "the unprivileged QEMU connects)", socket);
        }
        FileChannel lock = lock(home);
        SqliteStore store = null;
        io.parvirt.remote.SystemConnections connections = null;
        try {
            // A daemon killed earlier left these behind; they describe no running daemon now.
            Files.deleteIfExists(home.listenFile());
            Files.deleteIfExists(home.pidFile());
            DaemonConfig config = DaemonConfig.load(home, listen);
            io.parvirt.ssh.SshSettings sshSettings = io.parvirt.ssh.SshSettings.from(config.props(), home);
            java.time.Duration webIdle = config.webIdleTimeout();
            HostFacts host = config.host(HostFacts.read());
            var tls = config.tls(home, host.hostname());
            store = new SqliteStore(home.storeDir().resolve("parvirt.db"));
            store.eventLimit(config.eventsMax());
            ManagedSystem sys = new ManagedSystem(host, store, config.seed(host));
            HmcUsers users = new HmcUsers(store);
            VirtualEthernet network = new VirtualEthernet(config.switchSettings(), config.portBufferBytes(),
                    config.seaSettings(), text -> sys.logEvent("hypervisor", "vswitch", text));
            Hypervisor hypervisor = new Hypervisor(confined(config.hypervisor(home), home), (id, from, to, ref, detail) -> {
                sys.logEvent("hypervisor", "lpar_state", "Partition " + sys.definition().partition(id)
                        .map(p -> p.name()).orElse("id " + id) + " (id " + id + "): " + from.hmcName() + " -> "
                        + to.hmcName() + (ref.code().isEmpty() ? "" : " (" + ref.code() + " " + ref.text() + ")")
                        + (detail.isEmpty() ? "" : ": " + detail));
                if (to == io.parvirt.model.LparState.NOT_ACTIVATED || to == io.parvirt.model.LparState.ERROR
                        || to == io.parvirt.model.LparState.SUSPENDED) {
                    network.disconnect(id); // its QEMU is gone or going: its ports stop trying to reach it
                }
                sys.changed(); // the web console's feed looks again
            });
            network.checkpointIn(hypervisor::runDir); // port counters outlive a restart (issue 17)
            sys.activeResources(hypervisor::allocations, config.qemuOverheadMb());
            Dispatcher dispatcher = new Dispatcher(config.dispatch(home), () -> snapshot(sys, hypervisor),
                    text -> sys.logEvent("hypervisor", "dispatch", text));
            sys.utilizationSampleSeconds(config.utilizationSampleSeconds());
            sys.profileDataDir(home.profileData());
            UtilizationSampler sampler = new UtilizationSampler(dispatcher, () -> {
                Capacity c = sys.capacity();
                return new UtilizationSampler.SystemFacts(sys.definition(), c.configurableProcUnits(),
                        c.configurableMemMb(), c.availProcUnits(), c.availMemMb(), c.firmwareMemMb());
            }, hypervisor::allocations, sys::recordUtilization, sys::utilizationSampleSeconds,
                    config.utilizationRetention());
            var vios = new io.parvirt.vios.ViosService(sys, store, home.root().resolve("vios"));
            vios.san(config.viosSan());
            PartitionOperations operations = new PartitionOperations(sys, hypervisor,
                    new ImageStore(home.imageStore()), network, vios, dispatcher);
            operations.onConfigChange(id -> sampler.configChanged(id, java.time.Instant.now()));
            operations.backups().ifPresent(b -> b.directory(home.backups()));
            // Mobility (issue 14): a migration's stream comes in where the API listens; -t names a
            // system this one is connected to (mksysconn), whose daemon is the target.
            java.net.InetAddress apiAddress = config.listen().getAddress();
            operations.mobilityTarget().listenOn(apiAddress == null || apiAddress.isLoopbackAddress() ? "127.0.0.1"
                    : apiAddress.getHostAddress());
            // before re-adoption: an arrival an earlier daemon left unfinished is not taken for a partition of this system
            operations.mobilityTarget().remember(home.root().resolve("mobility/incoming.json"));
            // and a stream that completed without the destination's word stays stopped (not resumed) here,
            // asked about in the background unless mobility.settle_retry=false
            operations.mobility().settleRetry(config.mobilitySettleRetry());
            operations.mobility().remember(home.root().resolve("mobility/outgoing.json"));
            operations.mobilityTarget().fault(config.mobilityFault());
            DaemonConfig.MobilityLimits limits = config.mobilityLimits();
            operations.mobility().limits(limits.active(), limits.inactive());
            operations.mobility().streamTls(config.mobilityStreamTls());
            boolean hmcOnly = config.hmcOnly();
            connections = new io.parvirt.remote.SystemConnections(new io.parvirt.remote.PeerFile(
                    home.root().resolve("sysconn")), config.sysconn(), text -> sys.logEvent("hmc", "sysconn", text));
            io.parvirt.remote.SystemConnections reach = connections;
            operations.mobility().targets(name -> reach.clientOf(name)
                    .map(c -> new io.parvirt.partition.RemoteMobilityTarget(name, c)));
            // mkauthkeys --ip: the console's users' own keys, used with remote HMCs over SSH (issue 15)
            Hmc hmc = new Hmc(sys, users, new Hmc.Services(operations, network, vios, connections, hmcOnly,
                    new io.parvirt.ssh.RemoteHmcKeys(home.root().resolve("ssh"))));
            // an HMC-only console runs no partitions: it neither re-adopts nor starts any
            List<Integer> adopted = hmcOnly ? List.of() : operations.recover();
            if (!adopted.isEmpty()) {
                LOG.info("re-adopted running partitions {}", adopted);
            }
            // SSH first: a port in use must stop the start before the API answers anyone (a CLI that
            // started this daemon would otherwise be served once and then find it gone).
            io.parvirt.ssh.SshEndpoint sshEndpoint = startSsh(hmc, sshSettings);
            String token = writeToken(home.tokenFile());
            Daemon[] self = new Daemon[1];
            ApiServer api;
            try {
                api = new ApiServer(hmc, new Auth(token, "local:" + System.getProperty("user.name"), users),
                        config.listen(), home.socket(), () -> self[0].stop(), tls, webIdle).start();
            } catch (RuntimeException e) {
                if (sshEndpoint != null) {
                    sshEndpoint.close();
                }
                throw new DaemonException(DaemonException.Kind.LISTEN_UNAVAILABLE, "cannot serve the API on "
                        + config.listen().getHostString() + ":" + config.listen().getPort() + " (" + rootCause(e)
                        + "); choose another address with "
                        + "--listen HOST:PORT or listen= in " + home.config());
            }
            self[0] = new Daemon(home, lock, store, api, dispatcher, sampler, network);
            self[0].connections = connections;
            self[0].ssh = sshEndpoint;
            self[0].operations = operations;
            self[0].hypervisor = hypervisor;
            dispatcher.start();
            sampler.start();
            self[0].tlsFingerprint = tls.map(io.parvirt.api.TlsIdentity::fingerprint);
            tls.ifPresent(t -> LOG.info("the API speaks TLS; certificate SHA-256 fingerprint {}", t.fingerprint()));
            ImageStore images = new ImageStore(home.imageStore());
            Thread.ofVirtual().name("auto-start").start(() -> {
                // Build the default image now, so the first activation does not wait for it.
                try {
                    images.ensureDefault(line -> LOG.info("image: {}", line));
                } catch (io.parvirt.image.ImageException e) {
                    LOG.warn("the default partition image is not available: {}", e.getMessage());
                }
                if (!hmcOnly) {
                    hmc.autoStart(config.autoStartDelay());
                }
            });
            writeString(home.pidFile(), Long.toString(ProcessHandle.current().pid()));
            writeString(home.listenFile(), config.listen().getHostString() + ":" + api.tcpPort());
            LOG.info("parvirt daemon for {} serving {}:{} and {}", home.root(), config.listen().getHostString(),
                    api.tcpPort(), home.socket());
            return self[0];
        } catch (DaemonException | RuntimeException | IOException e) {
            if (connections != null) {
                connections.close();
            }
            if (store != null) {
                store.close();
            }
            try {
                lock.close();
            } catch (IOException ignored) {
                // releasing the lock is best effort; the process exits next
            }
            if (e instanceof DaemonException d) {
                throw d;
            }
            throw new DaemonException(DaemonException.Kind.START_FAILED, "cannot start: " + rootCause(e));
        }
    }

    /**
     * The hypervisor's settings with the unprivileged user partitions' QEMU runs as (issue 12):
     * made on first start when the daemon is root, and let through the home to the run directories.
     */
    private static Hypervisor.Config confined(Hypervisor.Config c, ParvirtHome home) {
        String user = io.parvirt.hypervisor.QemuUser.provision(c.qemuUser());
        if (user != null) {
            io.parvirt.hypervisor.QemuUser.openHome(user, home.root(), c.runRoot());
        }
        return new Hypervisor.Config(c.qemuBinary(), c.accel(), c.runRoot(), c.consoleLogDir(), c.vtermDir(),
                c.homeTag(), c.bootTimeout(), c.macPrefix(), user, c.vhostUser(), c.vhostUserBlk());
    }

    /** The HMC over SSH (issue 15), or null when {@code ssh.listen} is off; started before the API. */
    private static io.parvirt.ssh.SshEndpoint startSsh(Hmc hmc, io.parvirt.ssh.SshSettings settings)
            throws DaemonException, IOException {
        Files.deleteIfExists(settings.listenFile());
        if (!settings.enabled()) {
            return null;
        }
        try {
            return io.parvirt.ssh.SshEndpoint.start(hmc, settings);
        } catch (IOException | RuntimeException e) {
            throw new DaemonException(DaemonException.Kind.SSH_UNAVAILABLE, "cannot serve SSH on "
                    + settings.listen().getHostString() + ":" + settings.listen().getPort() + " (" + rootCause(e)
                    + "); choose another address with ssh.listen= in parvirt.properties, or ssh.listen=off");
        }
    }

    private static String rootCause(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }

    private static FileChannel lock(ParvirtHome home) throws DaemonException {
        try {
            FileChannel ch = FileChannel.open(home.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                ch.close();
                String pid = Files.exists(home.pidFile()) ? Files.readString(home.pidFile()).strip() : "?";
                throw new DaemonException(DaemonException.Kind.ALREADY_RUNNING, "a daemon is already running for "
                        + home.root() + " (pid " + pid + ")");
            }
            return ch;
        } catch (IOException e) {
            throw new DaemonException(DaemonException.Kind.LOCK_FAILED, "cannot lock " + home.lockFile() + ": "
                    + e.getMessage());
        }
    }

    private static String writeToken(Path file) {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        String token = HexFormat.of().formatHex(b);
        writeString(file, token);
        return token;
    }

    /** Owner-only, replaced whole so readers never see half a file. */
    private static void writeString(Path file, String s) {
        try {
            AtomicFile.replace(file, s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public int tcpPort() {
        return api.tcpPort();
    }

    public void await() throws InterruptedException {
        stopped.await();
    }

    public synchronized void stop() {
        if (stopped.getCount() == 0) {
            return;
        }
        LOG.info("parvirt daemon for {} stopping", home.root());
        if (ssh != null) {
            ssh.close();
        }
        api.close();
        connections.close();
        sampler.close();
        dispatcher.close();
        if (hypervisor != null) {
            hypervisor.leave(); // the partitions run on; the next daemon re-adopts them
        }
        network.close();
        store.close();
        try {
            Files.deleteIfExists(home.pidFile());
            Files.deleteIfExists(home.listenFile());
            Files.deleteIfExists(home.run().resolve("ssh-listen"));
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("cleanup of {} incomplete: {}", home.run(), e.getMessage());
        }
        stopped.countDown();
    }

    @Override
    public void close() {
        stop();
    }

    /** Why a daemon did not start: its kind (the command line acts on it) and one sentence. */
    public static final class DaemonException extends Exception {
        /** Small and stable. */
        public enum Kind {
            /** Another daemon holds this home's lock. */
            ALREADY_RUNNING,
            /** The home's lock file cannot be opened or locked. */
            LOCK_FAILED,
            /** The API's TCP address cannot be bound (in use, not local, not permitted). */
            LISTEN_UNAVAILABLE,
            /**
             * The SSH address ({@code ssh.listen}) cannot be bound: never replaced by another port, since
             * SSH clients are configured with it.
             */
            SSH_UNAVAILABLE,
            /** Anything else that stopped the start (store, services): the sentence names its root cause. */
            START_FAILED
        }

        private final Kind kind;

        public DaemonException(Kind kind, String message) {
            super(message);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }

    static InetSocketAddress parseListen(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("listen address must be HOST:PORT, not " + s);
        }
        return new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
    }
}
