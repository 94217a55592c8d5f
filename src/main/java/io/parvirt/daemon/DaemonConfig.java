package io.parvirt.daemon;

import io.parvirt.home.ParvirtHome;
import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.Names;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.system.HostFacts;
import io.parvirt.hypervisor.Accelerator;
import io.parvirt.dispatch.Dispatcher;
import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.vswitch.SeaSettings;
import io.parvirt.vswitch.SwitchSettings;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Properties;

/**
 * {@code parvirt.properties} of a home. Keys: {@code listen} (default 127.0.0.1:12443),
 * {@code system.name}, {@code mem_region_size} (MB, default 256), {@code host.reserved_proc_units}
 * (default 0), {@code host.reserved_mem_mb} (default max(1024, memory/16)), {@code firmware.base_mb},
 * {@code hpt_ratio} (default 1:64). System settings seed a new store; after that the store wins.
 */
record DaemonConfig(Properties props, InetSocketAddress listen) {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DaemonConfig.class);
    static final String DEFAULT_LISTEN = "127.0.0.1:12443";

    static DaemonConfig load(ParvirtHome home, String listenOverride) {
        Properties p = home.loadConfig();
        String listen = listenOverride != null ? listenOverride : p.getProperty("listen", DEFAULT_LISTEN);
        return new DaemonConfig(p, Daemon.parseListen(listen));
    }

    /**
     * {@code tls} ({@code auto}, {@code on}, {@code off}; default auto): whether the TCP listener
     * speaks TLS. auto is TLS for any address that is not loopback; a listener that is not loopback
     * never speaks plain HTTP, so {@code off} there refuses to start. {@code tls.keystore} (a PKCS#12
     * file) and {@code tls.password} name a certificate; without them a self-signed one is made in
     * {@code <home>/tls/} and kept.
     */
    java.util.Optional<io.parvirt.api.TlsIdentity> tls(ParvirtHome home, String hostname)
            throws Daemon.DaemonException {
        String mode = props.getProperty("tls", "auto");
        boolean loopback = listen.getAddress() != null && listen.getAddress().isLoopbackAddress();
        boolean on = switch (mode) {
            case "on" -> true;
            case "auto" -> !loopback;
            case "off" -> {
                if (!loopback) {
                    throw new Daemon.DaemonException(Daemon.DaemonException.Kind.START_FAILED, "refusing to serve "
                            + "plain HTTP on " + listen.getHostString() + ":" + listen.getPort() + ", which is not "
                            + "loopback: set tls=auto or tls=on in " + home.config());
                }
                yield false;
            }
            default -> throw new Daemon.DaemonException(Daemon.DaemonException.Kind.START_FAILED, "tls must be "
                    + "auto, on or off, not " + mode + " (in " + home.config() + ")");
        };
        if (!on) {
            return java.util.Optional.empty();
        }
        String keystore = props.getProperty("tls.keystore");
        return java.util.Optional.of(keystore != null
                ? ServerCertificate.configured(Path.of(keystore), props.getProperty("tls.password", ""))
                : ServerCertificate.selfSigned(home.root().resolve("tls"), hostname));
    }

    /**
     * {@code hmc.only} ({@code false}): {@code true} makes this daemon a console only, as a real HMC is
     * an appliance of its own: it runs no partitions and lists only the systems connected to it.
     */
    /**
     * {@code mobility.stream_tls} (true): whether live migration streams leave this system as TLS
     * (false only on a migration network the site trusts; PowerVM's encrypted LPM is optional too).
     */
    boolean mobilityStreamTls() {
        return flag("mobility.stream_tls", true);
    }

    /**
     * {@code mobility.settle_retry} (true): whether a migration whose destination did not confirm
     * its end is settled in the background once the destination answers (false: only by
     * {@code migrlpar -o r}).
     */
    boolean mobilitySettleRetry() {
        return flag("mobility.settle_retry", true);
    }

    /**
     * {@code mobility.fault} (none): FAULT INJECTION for tests only, never set in real use.
     * {@code exit_after_cont}: this daemon, as a migration's destination, halts right after its
     * guest runs and before it answers the source (the lost answer the source must survive).
     */
    io.parvirt.partition.MobilityReceiver.Fault mobilityFault() {
        String v = props.getProperty("mobility.fault", "none").strip();
        try {
            return io.parvirt.partition.MobilityReceiver.Fault.valueOf(v.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mobility.fault must be none or exit_after_cont, not " + v);
        }
    }

    boolean hmcOnly() {
        return flag("hmc.only", false);
    }

    /**
     * Connections to other systems' daemons: {@code sysconn.connect_timeout_ms} (3000),
     * {@code sysconn.request_timeout_seconds} (15, each API call), {@code sysconn.command_timeout_seconds}
     * (600, an HMC command run there), {@code sysconn.check_seconds} (30, how often a connected system
     * is checked) and {@code sysconn.retry_max_seconds} (30, the longest wait between retries of one
     * that is not).
     */
    io.parvirt.remote.SystemConnections.Settings sysconn() {
        long connect = bounded("sysconn.connect_timeout_ms", 3000, 100, 60_000);
        long request = bounded("sysconn.request_timeout_seconds", 15, 1, 600);
        long command = bounded("sysconn.command_timeout_seconds", 600, 1, 86_400);
        long check = bounded("sysconn.check_seconds", 30, 1, 3600);
        long retry = bounded("sysconn.retry_max_seconds", 30, 1, 3600);
        return new io.parvirt.remote.SystemConnections.Settings(new io.parvirt.remote.PeerClient.Timeouts(
                Duration.ofMillis(connect), Duration.ofSeconds(request), Duration.ofSeconds(command)),
                Duration.ofSeconds(check), Duration.ofSeconds(retry));
    }

    /**
     * Partition mobility: {@code mobility.max_active} (4, active migrations this system runs at
     * once; one more is refused) and {@code mobility.max_inactive} (4, inactive ones).
     */
    MobilityLimits mobilityLimits() {
        return new MobilityLimits((int) bounded("mobility.max_active", io.parvirt.partition.Mobility.MAX_ACTIVE, 1, 64),
                (int) bounded("mobility.max_inactive", io.parvirt.partition.Mobility.MAX_INACTIVE, 1, 64));
    }

    /** How many active and inactive migrations this system runs at once. */
    record MobilityLimits(int active, int inactive) {
    }

    /**
     * {@code vios.san} (unset: none): the directory that plays the SAN every VIOS of this system is
     * attached to; each regular file in it is a LUN the VIOSes see as a physical volume (see
     * {@link io.parvirt.vios.San}). Two systems whose daemons name the same directory share it.
     */
    Path viosSan() {
        String v = props.getProperty("vios.san");
        if (v == null || v.isBlank()) {
            return null;
        }
        Path p = Path.of(v.strip());
        if (!p.isAbsolute() || !Files.isDirectory(p)) {
            throw new IllegalArgumentException("vios.san must name an existing directory by its absolute path, not "
                    + v.strip());
        }
        return p;
    }

    /** A setting that is exactly true or false: anything else stops the daemon at start, naming it. */
    private boolean flag(String key, boolean dflt) {
        String v = props.getProperty(key, Boolean.toString(dflt)).strip();
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(key + " must be true or false, not " + v);
        }
        return Boolean.parseBoolean(v);
    }

    private long bounded(String key, long dflt, long min, long max) {
        long v = Long.parseLong(props.getProperty(key, Long.toString(dflt)).strip());
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + " must be " + min + ".." + max + ", not " + v);
        }
        return v;
    }

    /**
     * {@code host.serial} (default: from {@code /etc/machine-id}): the managed system's serial number,
     * seven upper-case hex digits. Several simulated hosts on one machine (tests, a lab) each set their
     * own, so their {@code type_model*serial_num} differ as two servers' do.
     */
    HostFacts host(HostFacts read) {
        String serial = props.getProperty("host.serial");
        if (serial == null) {
            return read;
        }
        if (!serial.strip().matches("[0-9A-F]{7}")) {
            throw new IllegalArgumentException("host.serial must be seven upper-case hex digits, not " + serial);
        }
        return new HostFacts(read.cores(), read.memoryMb(), read.hostname(), serial.strip(), read.ipaddr());
    }

    /** {@code events.max} (100000): how many console events, the audit trail included, are kept. */
    long eventsMax() {
        return Long.parseLong(props.getProperty("events.max", "100000"));
    }

    SystemSettings seed(HostFacts host) {
        long lmb = Long.parseLong(props.getProperty("mem_region_size", "256"));
        String name = props.getProperty("system.name", sanitize(host.hostname()));
        long reservedMem = Long.parseLong(props.getProperty("host.reserved_mem_mb",
                Long.toString(Math.max(1024, host.memoryMb() / 16))));
        long base = Long.parseLong(props.getProperty("firmware.base_mb",
                Long.toString(HypervisorMemory.defaultBaseMb(host.memoryMb(), lmb))));
        return new SystemSettings(name, lmb, ProcUnits.parse("host.reserved_proc_units",
                props.getProperty("host.reserved_proc_units", "0")), reservedMem, base,
                HptRatio.parse("hpt_ratio", props.getProperty("hpt_ratio", "1:64")), "");
    }

    /**
     * The oldest QEMU whose TCG guests run vhost-user ports: 7.2 (bookworm) crashes as the guest
     * starts the device, 10.0 (bookworm-backports) runs them (VhostUserEthernetTest); 8 and 9 were
     * not tried, and are let through.
     */
    static final int VHOST_USER_TCG_MAJOR = 8;

    /** {@code accel} (auto|kvm|tcg), {@code qemu.binary}, {@code boot_timeout_seconds}. */
    Hypervisor.Config hypervisor(ParvirtHome home) {
        String accel = props.getProperty("accel", "auto");
        // rejects a bad setting at start, not at the first activation
        Accelerator chosen = Accelerator.choose(accel);
        String binary = props.getProperty("qemu.binary", "/usr/bin/qemu-system-x86_64");
        if (chosen == Accelerator.TCG && transport() == io.parvirt.vswitch.Transport.VHOST_USER) {
            io.parvirt.hypervisor.QemuVersion.of(binary).filter(v -> v.major() < VHOST_USER_TCG_MAJOR).ifPresent(v -> {
                throw new IllegalArgumentException("vswitch.transport=vhost-user needs QEMU " + VHOST_USER_TCG_MAJOR
                        + ".0 or later when partitions run under TCG: qemu.binary " + binary + " is QEMU " + v
                        + ", whose TCG guests crash when their virtio-net driver starts a vhost-user device. Set "
                        + "qemu.binary to a newer QEMU, run under KVM, or set vswitch.transport=stream");
            });
        }
        return new Hypervisor.Config(binary, accel,
                home.run().resolve("lpar"), home.logs().resolve("console"), home.run().resolve("vterm"),
                homeTag(home), Duration.ofSeconds(Long.parseLong(props.getProperty("boot_timeout_seconds", "300"))),
                macPrefix(home), qemuUser(), transport() == io.parvirt.vswitch.Transport.VHOST_USER,
                vhostUserBlk(chosen, binary));
    }

    /**
     * {@code vios.disk_transport} ({@code nbd}; {@code vhost-user-blk}): how client partitions'
     * virtual SCSI disks reach their VIOS's storage server. With {@code vhost-user-blk} a
     * read-write disk is a virtio-blk device the storage server serves from the guest's shared
     * memory (optical media stay on NBD). Where the QEMU cannot (TCG on a QEMU older than
     * {@link #VHOST_USER_TCG_MAJOR}) the disks stay on NBD and the log says why; a bad value stops
     * the daemon at start.
     */
    boolean vhostUserBlk(Accelerator chosen, String binary) {
        String v = props.getProperty("vios.disk_transport", "nbd").strip();
        if (v.equals("nbd")) {
            return false;
        }
        if (!v.equals("vhost-user-blk")) {
            throw new IllegalArgumentException("vios.disk_transport must be nbd or vhost-user-blk, not " + v);
        }
        if (chosen == Accelerator.TCG) {
            var old = io.parvirt.hypervisor.QemuVersion.of(binary).filter(q -> q.major() < VHOST_USER_TCG_MAJOR);
            if (old.isPresent()) {
                LOG.warn("vios.disk_transport=vhost-user-blk: qemu.binary {} is QEMU {}, whose TCG guests cannot run "
                        + "vhost-user devices; virtual SCSI disks go over NBD. Set qemu.binary to QEMU {} or later, or "
                        + "run under KVM", binary, old.get(), VHOST_USER_TCG_MAJOR);
                return false;
            }
        }
        return true;
    }

    /**
     * {@code vswitch.transport} ({@code stream}): how partitions' adapters reach the switch;
     * {@code vhost-user} shares the guest's memory with the switch and carries offloads.
     */
    io.parvirt.vswitch.Transport transport() {
        return io.parvirt.vswitch.Transport.parse(props.getProperty("vswitch.transport", "stream"));
    }

    /** {@code qemu.user} ({@code parvirt-qemu}; empty: QEMU runs as the daemon's user); as given, not provisioned. */
    String qemuUser() {
        return props.getProperty("qemu.user", io.parvirt.hypervisor.QemuUser.DEFAULT).strip();
    }

    /**
     * {@code vswitch.mac_prefix}: the first three bytes of every MAC address parvirt assigns
     * ({@code 0E:50:56}); by default one derived from the home, locally administered and unicast,
     * so two parvirt systems on one network do not collide.
     */
    String macPrefix(ParvirtHome home) {
        String p = props.getProperty("vswitch.mac_prefix");
        if (p == null) {
            String tag = homeTag(home);
            int first = (Integer.parseInt(tag.substring(1, 3), 16) & 0xFC) | 0x02;
            return String.format("%02X", first) + tag.substring(3, 7).toUpperCase(java.util.Locale.ROOT);
        }
        String hex = p.replace(":", "").toUpperCase(java.util.Locale.ROOT);
        if (!hex.matches("[0-9A-F]{6}") || (Integer.parseInt(hex.substring(0, 2), 16) & 1) != 0) {
            throw new IllegalArgumentException("vswitch.mac_prefix must be three bytes of a unicast address such as "
                    + "0E:50:56, not " + p);
        }
        return hex;
    }

    /**
     * QEMU's own memory per active partition beyond guest memory, counted as the hypervisor's (MB).
     * Measured under TCG (bench/twenty-partitions.sh): Pss minus resident guest RAM 98 MB, of which
     * 58 MB is TCG's code buffer; 128 covers it with the LMB-level rounding in mind.
     */
    long qemuOverheadMb() {
        return Long.parseLong(props.getProperty("qemu.overhead_mb", "128"));
    }

    /**
     * {@code dispatch.interval_ms} (default 100): how often the dispatcher decides;
     * {@code dispatch.period_us} (default 10000, PowerVM's dispatch window): the CPU bandwidth
     * period its quotas are per (see {@code io.parvirt.dispatch} for why it is short);
     * {@code dispatch.cgroup_root} (default /sys/fs/cgroup): where the cgroup controllers are
     * mounted (a delegated tree); {@code dispatch.enforce} (default true): false measures and
     * reports only, leaving the host's scheduler alone (said in the event log and the status);
     * {@code dispatch.watch_ms} (default 20, 0: off): how often the throttle counts are read
     * between intervals (twice as often while few partitions are watched), so that a partition that starts or stops working is dispatched again at
     * once (see {@code io.parvirt.dispatch.ThrottleWatch}); {@code dispatch.home_cores} (default
     * true): each shared partition's vCPU threads are kept on home cores chosen by grant
     * ({@code io.parvirt.dispatch.HomeCores}); false leaves their placement to the kernel.
     */
    Dispatcher.Config dispatch(ParvirtHome home) {
        long interval = Long.parseLong(props.getProperty("dispatch.interval_ms", "100"));
        int period = Integer.parseInt(props.getProperty("dispatch.period_us", "10000"));
        long watch = Long.parseLong(props.getProperty("dispatch.watch_ms", "20"));
        if (interval < 10 || interval > 10_000 || period < 1000 || period > 1_000_000) {
            throw new IllegalArgumentException("dispatch.interval_ms must be 10..10000 and dispatch.period_us "
                    + "1000..1000000, not " + interval + " and " + period);
        }
        if (watch != 0 && (watch < 5 || watch >= interval)) {
            throw new IllegalArgumentException("dispatch.watch_ms must be 0 (off) or from 5 to less than "
                    + "dispatch.interval_ms (" + interval + "), not " + watch);
        }
        return new Dispatcher.Config(Duration.ofMillis(interval), period,
                Path.of(props.getProperty("dispatch.cgroup_root", "/sys/fs/cgroup")), homeTag(home),
                flag("dispatch.enforce", true), Duration.ofMillis(watch), flag("dispatch.home_cores", true));
    }

    /**
     * {@code vswitch.mac_aging_seconds} (300), {@code vswitch.mac_limit_per_port} (256): the
     * switches' MAC tables.
     */
    SwitchSettings switchSettings() {
        return new SwitchSettings(Integer.parseInt(props.getProperty("vswitch.mac_aging_seconds", "300")),
                Integer.parseInt(props.getProperty("vswitch.mac_limit_per_port", "256")), 1518);
    }

    /** {@code vswitch.port_buffer_kb} (256): what a port queues for a guest that is not reading. */
    int portBufferBytes() {
        return Integer.parseInt(props.getProperty("vswitch.port_buffer_kb", "256")) * 1024;
    }

    /**
     * {@code vswitch.sea_netns} (none): the network namespace, by name ({@code ip netns}) or path,
     * that VIOS trunk adapters' TAP interfaces are made in; {@code vswitch.sea_bridge} (none): a
     * Linux bridge there to enslave them to. Without them the TAPs are made in the daemon's own
     * namespace, up and unattached.
     */
    SeaSettings seaSettings() {
        String ns = props.getProperty("vswitch.sea_netns", "").strip();
        String bridge = props.getProperty("vswitch.sea_bridge", "").strip();
        if (!ns.isEmpty() && !ns.contains("/")) {
            ns = "/run/netns/" + ns;
        }
        if (!ns.isEmpty() && !Files.exists(Path.of(ns))) {
            throw new IllegalArgumentException("vswitch.sea_netns names " + ns + ", which does not exist: create it "
                    + "(ip netns add NAME) or remove the setting");
        }
        if (!bridge.isEmpty() && !bridge.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new IllegalArgumentException("vswitch.sea_bridge must be a network interface name (1 to 15 "
                    + "letters, digits, _ . -), not " + bridge);
        }
        return new SeaSettings(ns.isEmpty() ? null : ns, bridge.isEmpty() ? null : bridge);
    }

    /**
     * {@code web.idle_timeout_minutes} (default 30, 1..1440): a web console login unused this long
     * ends (its page asks for a login again). Read at start, so a wrong value stops the daemon there.
     */
    Duration webIdleTimeout() {
        String v = props.getProperty("web.idle_timeout_minutes", "30").strip();
        long m;
        try {
            m = Long.parseLong(v);
        } catch (NumberFormatException e) {
            m = -1;
        }
        if (m < 1 || m > 1440) {
            throw new IllegalArgumentException("web.idle_timeout_minutes must be a whole number of minutes, 1..1440 "
                    + "(a day), not " + v);
        }
        return Duration.ofMinutes(m);
    }

    /** {@code autostart.delay_seconds} (default 0): between the auto_start client partitions' activations. */
    Duration autoStartDelay() {
        int s = Integer.parseInt(props.getProperty("autostart.delay_seconds", "0"));
        if (s < 0 || s > 3600) {
            throw new IllegalArgumentException("autostart.delay_seconds must be 0..3600, not " + s);
        }
        return Duration.ofSeconds(s);
    }

    /** {@code utilization.sample_seconds} (default 30): lslparutil's sample rate. */
    int utilizationSampleSeconds() {
        int s = Integer.parseInt(props.getProperty("utilization.sample_seconds", "30"));
        if (s < 1 || s > 86_400) {
            throw new IllegalArgumentException("utilization.sample_seconds must be 1..86400, not " + s);
        }
        return s;
    }

    /** {@code utilization.retention_hours} (default 168, a week): older samples are dropped. */
    Duration utilizationRetention() {
        return Duration.ofHours(Long.parseLong(props.getProperty("utilization.retention_hours", "168")));
    }

    /** Short and stable per home, so two homes' partitions never share a cgroup. */
    static String homeTag(ParvirtHome home) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(home.root().toString()
                    .getBytes(StandardCharsets.UTF_8));
            return "h" + HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A host name made into a valid system name. */
    static String sanitize(String hostname) {
        String s = hostname.replaceAll("[^A-Za-z0-9_.\\-]", "-").replaceAll("^[^A-Za-z0-9]+", "");
        if (s.length() > 63) {
            s = s.substring(0, 63);
        }
        return Names.isValidPoolName(s) ? s : "parvirt-host";
    }
}
