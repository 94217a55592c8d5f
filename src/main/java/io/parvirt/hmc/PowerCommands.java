package io.parvirt.hmc;

import io.parvirt.console.VirtualConsole;
import io.parvirt.hypervisor.Accelerator;
import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.LaunchException;
import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.hypervisor.PartitionStatus;
import io.parvirt.hypervisor.PartitionSupervisor;
import io.parvirt.hypervisor.qga.GuestAgent;
import io.parvirt.image.GuestBoot;
import io.parvirt.image.ImageException;
import io.parvirt.image.ImageStore;
import io.parvirt.image.PartitionImage;
import io.parvirt.model.Allocation;
import io.parvirt.model.LparEnv;
import io.parvirt.model.LparState;
import io.parvirt.model.MacAddresses;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.Profile;
import io.parvirt.model.VirtualEthernetAdapter;
import io.parvirt.vswitch.VirtualEthernet;
import io.parvirt.system.Capacity;
import io.parvirt.system.ManagedSystem;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code chsysstate}, {@code lsrefcode}, {@code mkvterm}, {@code rmvterm}, and parvirt's guest exec. */
final class PowerCommands {
    private static final Logger LOG = LoggerFactory.getLogger(PowerCommands.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss")
            .withZone(ZoneId.systemDefault());
    /** A delayed shutdown: the OS, then the ACPI button, then a hard stop once this has passed. */
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);
    private final Hypervisor hypervisor;
    private final ImageStore images;
    private final VirtualEthernet network;
    private final VirtualScsi scsi;

    PowerCommands(Hypervisor hypervisor, ImageStore images, VirtualEthernet network, VirtualScsi scsi) {
        this.hypervisor = hypervisor;
        this.images = images;
        this.network = network;
        this.scsi = scsi;
    }

    PartitionStatus status(int lparId) {
        return hypervisor == null ? null : hypervisor.status(lparId).orElse(null);
    }

    void forget(int lparId) {
        if (hypervisor != null) {
            hypervisor.forget(lparId);
        }
    }

    private Hypervisor hypervisor() {
        if (hypervisor == null) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "Partitions cannot be activated here: this "
                    + "console has no hypervisor.");
        }
        return hypervisor;
    }

    HmcResult chsysstate(Hmc.Context c) {
        Options o = new Options().values("-m", "-r", "-o", "-n", "--id", "-f", "-b", "-k")
                .flags("--immed", "--restart", "--force").parse(c.args());
        Systems.check(c.sys(), o.require("-m"));
        if (o.oneOf("-r", "lpar", "sys").equals("sys")) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "The managed system is the host and is "
                    + "always Operating: it cannot be powered on or off from the console.");
        }
        String op = o.oneOf("-o", "on", "shutdown", "osshutdown", "restart");
        Partition p = Systems.partition(c.sys(), o.exactlyOne("-n", "--id"));
        PartitionStatus st = status(p.id());
        LparState state = st == null ? LparState.NOT_ACTIVATED : st.state();
        switch (op) {
            case "on" -> activate(c.sys(), p, o.get("-f") != null ? o.get("-f") : p.defaultProfile(), state);
            case "restart" -> restart(p, state, o.has("--immed"));
            default -> {
                if (o.has("--restart")) {
                    restart(p, state, o.has("--immed"));
                } else if (state == LparState.NOT_ACTIVATED) {
                    throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name()
                            + " is Not Activated: there is nothing to shut down.");
                } else {
                    hypervisor().shutdown(p.id(), o.has("--immed"), SHUTDOWN_TIMEOUT);
                }
            }
        }
        return HmcResult.OK;
    }

    private void restart(Partition p, LparState state, boolean immediate) {
        if (state != LparState.RUNNING && state != LparState.STARTING) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name() + " is "
                    + state.hmcName() + ": only a running partition can be restarted.");
        }
        try {
            hypervisor().restart(p.id(), immediate);
        } catch (IOException e) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name()
                    + " could not be restarted: " + e.getMessage());
        }
    }

    /** Activation takes from what is free: desired if it fits, down to the minimums, else refused. */
    private synchronized void activate(ManagedSystem sys, Partition p, String profileName, LparState state) {
        Hypervisor h = hypervisor();
        if (state.active()) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name() + " is already "
                    + state.hmcName() + ".");
        }
        Profile prof = sys.profile(p, profileName);
        Capacity cap = sys.capacity();
        ProcUnits poolRoom = prof.processors().shared() ? sys.poolRoom(prof.processors().poolId()) : ProcUnits.ZERO;
        Allocation a = Allocation.plan(p.id(), prof, cap.availMemMb(), cap.availProcUnits(), poolRoom,
                sys.definition().lmbMb());
        if (a == null && prof.processors().shared() && poolRoom.compareTo(prof.processors().minUnits()) < 0) {
            String pool = sys.definition().pool(prof.processors().poolId()).orElseThrow().name();
            throw ModelException.of(ModelException.Kind.INSUFFICIENT_RESOURCES, "There are not enough processing "
                    + "units in shared processor pool " + pool + " to activate partition " + p.name() + " with "
                    + "profile " + prof.name() + ": it needs at least " + prof.processors().minUnits() + " and the "
                    + "pool has " + poolRoom + " left below its max_pool_proc_units. Raise the pool's maximum "
                    + "(chhwres -r procpool) or lower min_proc_units.");
        }
        if (a == null) {
            throw ModelException.of(ModelException.Kind.INSUFFICIENT_RESOURCES, "There are not enough resources to "
                    + "activate partition " + p.name() + " with profile " + prof.name() + ": it needs at least "
                    + prof.memory().minMb() + " MB and " + (prof.processors().shared() ? prof.processors().minUnits()
                    + " processing units" : prof.processors().minProcs() + " processors") + "; available are "
                    + cap.availMemMb() + " MB and " + cap.availProcUnits() + " processing units.");
        }
        Hypervisor.Config cfg = h.config();
        List<LaunchSpec.Nic> nics = nics(sys, p, prof, cfg.macPrefix());
        // A VIOS's operating system is the storage server: no image, no guest NICs (its trunk
        // adapters are the daemon's to bridge). A client's devices are checked before anything starts.
        boolean server = p.env() == LparEnv.VIOSERVER && scsi != null;
        List<LaunchSpec.ScsiDevice> devices = server || scsi == null ? List.of() : scsi.devicesOf(sys.definition(), p);
        PartitionImage image = server ? null : image(p, prof);
        LaunchSpec spec = new LaunchSpec(cfg.qemuBinary(), p.name(), p.id(), p.uuid(), a.memMb(),
                Math.max(a.memMb(), prof.memory().maxMb()), a.vcpus(), prof.processors().maxProcs(),
                Accelerator.choose(prof.options().accel() != null ? prof.options().accel() : cfg.accel()),
                server ? null : image.kernel(), server ? null : image.initramfs(), server ? null : image.disk(),
                GuestBoot.kernelCmdline(p.name(), ""), h.runDir(p.id()),
                server ? nics.stream().filter(LaunchSpec.Nic::trunk).toList() : nics, devices,
                server ? scsi.prepareServer(p) : null);
        try {
            h.activate(spec, prof.name(), a);
            PartitionNetwork.connect(network, spec);
        } catch (LaunchException e) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name()
                    + " could not be activated (" + e.refCode().code() + "): " + e.getMessage());
        }
    }

    /**
     * The profile's virtual Ethernet adapters as NICs, each with its MAC address: the profile's own
     * or the one parvirt assigns. An address another running partition already uses is refused.
     */
    private List<LaunchSpec.Nic> nics(ManagedSystem sys, Partition p, Profile prof, String prefix) {
        java.util.Map<String, String> inUse = new java.util.HashMap<>();
        for (io.parvirt.hypervisor.PartitionStatus st : hypervisor().running()) {
            hypervisor().supervisor(st.lparId()).ifPresent(s -> {
                for (LaunchSpec.Nic n : s.spec().nics()) {
                    inUse.put(n.mac(), s.spec().name());
                }
            });
        }
        List<LaunchSpec.Nic> out = new ArrayList<>();
        for (VirtualEthernetAdapter e : prof.io().eth().stream()
                .sorted(java.util.Comparator.comparingInt(VirtualEthernetAdapter::slot)).toList()) {
            String mac = e.macAddr() != null ? e.macAddr() : MacAddresses.assign(prefix, p.id(), e.slot());
            if (inUse.containsKey(mac)) {
                throw new ModelException(ModelException.Kind.INVALID_STATE, "mac_addr", "The MAC address " + mac
                        + " of the virtual Ethernet adapter in slot " + e.slot() + " of partition " + p.name()
                        + " is in use by running partition " + inUse.get(mac) + ". Give the adapter another "
                        + "mac_addr.");
            }
            inUse.put(mac, p.name());
            out.add(new LaunchSpec.Nic(e.slot(), mac, e.vswitch(), e.portVlanId(), e.ieee(), e.addlVlanIds(),
                    e.trunkPriority()));
        }
        return out;
    }

    /** The profile's image ({@code parvirt_image}), or the default one, built on first use. */
    private PartitionImage image(Partition p, Profile prof) {
        String name = prof.options().image();
        if (name != null) {
            return images.find(name).orElseThrow(() -> ModelException.of(ModelException.Kind.INVALID_REFERENCE,
                    "The image " + name + " named by parvirt_image in profile " + prof.name() + " of partition "
                    + p.name() + " is missing or incomplete: see ./parvirt image list."));
        }
        try {
            return images.ensureDefault(line -> LOG.info("image: {}", line));
        } catch (ImageException e) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "The partition image for " + p.name()
                    + " is not available: " + e.getMessage());
        }
    }

    void autoStart(ManagedSystem sys) {
        for (Partition p : sys.definition().partitions()) {
            if (sys.definition().defaultProfile(p).options().autoStart() && status(p.id()) == null) {
                try {
                    activate(sys, p, p.defaultProfile(), LparState.NOT_ACTIVATED);
                } catch (ModelException e) {
                    LOG.warn("auto start of partition {} failed: {}", p.name(), e.getMessage());
                }
            }
        }
    }

    HmcResult lsrefcode(Hmc.Context c) {
        Options o = new Options().values("-r", "-m", "--filter", "-n").withFields().parse(c.args());
        o.oneOf("-r", "lpar");
        Systems.check(c.sys(), o.require("-m"));
        Filter f = Filter.parse(o.get("--filter"), Set.of("lpar_names", "lpar_ids"));
        List<Row> rows = new ArrayList<>();
        for (Partition p : SyscfgCommands.partitions(c.sys().definition(), f)) {
            PartitionStatus st = status(p.id());
            rows.add(new Row().put("lpar_name", p.name()).put("lpar_id", p.id())
                    .put("time_stamp", st == null ? "" : TIME.format(st.refTime()))
                    .put("refcode", st == null ? "" : st.refCode().code())
                    .put("word2", st == null || st.refCode().code().isEmpty() ? "" : "00000000")
                    .put("refcode_text", st == null ? "" : st.refCode().text()
                            + (st.refDetail().isEmpty() ? "" : ": " + st.refDetail())));
        }
        return Listing.render(rows, o.fields(), o.header(), Set.of("lpar_name", "lpar_id", "time_stamp", "refcode",
                "word2", "refcode_text"));
    }

    HmcResult mkvterm(Hmc.Context c) {
        Options o = new Options().values("-m", "-p", "--id").parse(c.args());
        Systems.check(c.sys(), o.require("-m"));
        Partition p = Systems.partition(c.sys(), o.exactlyOne("-p", "--id"));
        PartitionSupervisor s = running(p);
        if (s.console().sessionOpen()) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "A virtual terminal session is already open "
                    + "for partition " + p.name() + ". Use rmvterm to close it, then retry.");
        }
        return HmcResult.vterm(hypervisor().config().vtermDir().resolve(p.id() + ".sock").toString());
    }

    HmcResult rmvterm(Hmc.Context c) {
        Options o = new Options().values("-m", "-p", "--id").parse(c.args());
        Systems.check(c.sys(), o.require("-m"));
        Partition p = Systems.partition(c.sys(), o.exactlyOne("-p", "--id"));
        hypervisor().supervisor(p.id()).ifPresent(s -> s.console().closeSession());
        return HmcResult.OK;
    }

    private PartitionSupervisor running(Partition p) {
        return hypervisor().supervisor(p.id()).orElseThrow(() -> ModelException.of(
                ModelException.Kind.INVALID_STATE, "The partition " + p.name() + " is not activated."));
    }

    byte[] consoleTail(Partition p, int bytes) {
        var s = hypervisor().supervisor(p.id());
        if (s.isPresent()) {
            return s.get().console().tail(bytes);
        }
        // An unstarted console binds nothing and reads the log and its rotated files.
        Hypervisor.Config cfg = hypervisor().config();
        return new VirtualConsole(p.name(), cfg.runRoot().resolve("none"), cfg.consoleLogDir(),
                cfg.vtermDir().resolve("none"), 1 << 20).tail(bytes);
    }

    GuestAgent.ExecResult guestExec(ManagedSystem sys, String name, List<String> argv, Duration timeout) {
        Partition p = sys.partition(name);
        PartitionSupervisor s = running(p);
        if (s.spec().runsStorageServer()) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name() + " is a Virtual "
                    + "I/O Server: its operating system is parvirt's storage server, which runs no guest commands. "
                    + "Use viosvrcmd.");
        }
        if (!s.status().agentActive()) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name() + " is "
                    + s.status().state().hmcName() + ": its guest agent is not answering yet.");
        }
        try {
            return s.agent().exec(argv.getFirst(), argv.subList(1, argv.size()), timeout);
        } catch (IOException e) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The command could not be run in partition "
                    + p.name() + ": " + e.getMessage());
        }
    }
}
