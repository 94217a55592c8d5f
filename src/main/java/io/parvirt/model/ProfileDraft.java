package io.parvirt.model;

import static io.parvirt.model.ModelException.Kind.INVALID_REFERENCE;
import static io.parvirt.model.ModelException.Kind.MISSING_ATTRIBUTE;
import static io.parvirt.model.ModelException.Kind.POOL_NOT_FOUND;

import java.util.ArrayList;
import java.util.List;

/**
 * A profile being written: starts from defaults or from an existing profile, takes attributes one
 * at a time ({@link ProfileAttributes}), and becomes a validated {@link Profile} in {@link #build}.
 * Null fields are attributes not given yet.
 */
public final class ProfileDraft {
    String name;
    int lparId;
    Long minMem;
    Long desiredMem;
    Long maxMem;
    MemMode memMode = MemMode.DED;
    /** Null until given: then the system's default ratio. */
    HptRatio hptRatio;
    ProcMode procMode;
    Integer minProcs;
    Integer desiredProcs;
    Integer maxProcs;
    ProcUnits minUnits;
    ProcUnits desiredUnits;
    ProcUnits maxUnits;
    SharingMode sharingMode;
    int uncapWeight = Limits.DEFAULT_UNCAP_WEIGHT;
    Integer poolId;
    String poolName;
    /** Set when the record being applied names the pool, so an id kept from before does not conflict. */
    boolean poolIdGiven;
    boolean poolNameGiven;
    int maxVirtualSlots = Limits.DEFAULT_MAX_VIRTUAL_SLOTS;
    List<VirtualSerialAdapter> serial = new ArrayList<>(VirtualSerialAdapter.DEFAULTS);
    List<VirtualScsiAdapter> scsi = new ArrayList<>();
    List<VirtualEthernetAdapter> eth = new ArrayList<>();
    List<VirtualFcAdapter> fc = new ArrayList<>();
    boolean allResources;
    BootMode bootMode = BootMode.NORM;
    boolean connMonitoring;
    boolean autoStart;
    List<Integer> powerCtrlLparIds = new ArrayList<>();
    String workGroupId = "none";
    boolean redundantErrPathReporting;
    String procCompatMode = "default";
    String image;
    String accel;

    public static ProfileDraft create(String name, int lparId) {
        ProfileDraft d = new ProfileDraft();
        d.name = name;
        d.lparId = lparId;
        return d;
    }

    public static ProfileDraft of(Profile p) {
        ProfileDraft d = create(p.name(), p.lparId());
        MemorySettings m = p.memory();
        d.minMem = m.minMb();
        d.desiredMem = m.desiredMb();
        d.maxMem = m.maxMb();
        d.memMode = m.mode();
        d.hptRatio = m.hptRatio();
        ProcessorSettings c = p.processors();
        d.procMode = c.mode();
        d.minProcs = c.minProcs();
        d.desiredProcs = c.desiredProcs();
        d.maxProcs = c.maxProcs();
        if (c.shared()) {
            d.minUnits = c.minUnits();
            d.desiredUnits = c.desiredUnits();
            d.maxUnits = c.maxUnits();
            d.poolId = c.poolId();
        }
        d.sharingMode = c.sharingMode();
        d.uncapWeight = c.uncapWeight();
        VirtualIo io = p.io();
        d.maxVirtualSlots = io.maxVirtualSlots();
        d.serial = new ArrayList<>(io.serial());
        d.scsi = new ArrayList<>(io.scsi());
        d.eth = new ArrayList<>(io.eth());
        d.fc = new ArrayList<>(io.fc());
        ProfileOptions o = p.options();
        d.allResources = o.allResources();
        d.bootMode = o.bootMode();
        d.connMonitoring = o.connMonitoring();
        d.autoStart = o.autoStart();
        d.powerCtrlLparIds = new ArrayList<>(o.powerCtrlLparIds());
        d.workGroupId = o.workGroupId();
        d.redundantErrPathReporting = o.redundantErrPathReporting();
        d.procCompatMode = o.procCompatMode();
        d.image = o.image();
        d.accel = o.accel();
        return d;
    }

    public String name() {
        return name;
    }

    /** Fills defaults, resolves the pool and checks every rule; throws on the first violation. */
    public Profile build(LparEnv env, SystemContext ctx) {
        require("min_mem", minMem);
        require("desired_mem", desiredMem);
        require("max_mem", maxMem);
        ProcMode mode = procMode == null ? ProcMode.DED : procMode;
        require("min_procs", minProcs);
        require("desired_procs", desiredProcs);
        require("max_procs", maxProcs);
        boolean shared = mode == ProcMode.SHARED;
        if (shared) {
            require("min_proc_units", minUnits);
            require("desired_proc_units", desiredUnits);
            require("max_proc_units", maxUnits);
        }
        SharingMode sm = sharingMode != null ? sharingMode
                : shared ? SharingMode.CAP : SharingMode.KEEP_IDLE_PROCS;
        int pool = shared ? resolvePool(ctx) : SharedProcessorPool.DEFAULT_POOL_ID;
        ProcessorSettings procs = new ProcessorSettings(mode, minProcs, desiredProcs, maxProcs,
                shared ? minUnits : ProcUnits.ZERO, shared ? desiredUnits : ProcUnits.ZERO,
                shared ? maxUnits : ProcUnits.ZERO, sm, shared ? uncapWeight : Limits.DEFAULT_UNCAP_WEIGHT, pool);
        Profile p = new Profile(name, lparId, new MemorySettings(minMem, desiredMem, maxMem, memMode,
                hptRatio != null ? hptRatio : ctx.defaultHptRatio()), procs,
                new VirtualIo(maxVirtualSlots, serial, scsi, eth, fc),
                new ProfileOptions(allResources, bootMode, connMonitoring, autoStart, powerCtrlLparIds, workGroupId,
                        redundantErrPathReporting, procCompatMode, image, accel));
        ProfileRules.check(p, env, ctx);
        return p;
    }

    private int resolvePool(SystemContext ctx) {
        SharedProcessorPool byName = null;
        if (poolName != null) {
            byName = ctx.pool(poolName).orElseThrow(() -> new ModelException(POOL_NOT_FOUND,
                    "shared_proc_pool_name", "The shared processor pool named " + Values.quote(poolName)
                            + " was not found. Use lshwres -r procpool to list the pools."));
        }
        int id = poolId != null ? poolId : byName != null ? byName.id() : SharedProcessorPool.DEFAULT_POOL_ID;
        if (byName != null && byName.id() != id) {
            throw new ModelException(INVALID_REFERENCE, "shared_proc_pool_name", "The shared_proc_pool_name "
                    + Values.quote(poolName) + " and shared_proc_pool_id " + id + " name different pools.");
        }
        SharedProcessorPool pool = ctx.pool(id).orElseThrow(() -> new ModelException(POOL_NOT_FOUND,
                "shared_proc_pool_id", "The shared processor pool with id " + id + " was not found."));
        if (!pool.usable()) {
            String attr = byName != null ? "shared_proc_pool_name" : "shared_proc_pool_id";
            String value = byName != null ? poolName : Integer.toString(id);
            throw new ModelException(INVALID_REFERENCE, attr, "The value " + value + " for attribute " + attr
                    + " names pool " + pool.name() + " (id " + id + "), which is not configured: set its max_pool_proc_units with "
                    + "chhwres -r procpool before assigning partitions to it.");
        }
        return id;
    }

    private static void require(String attr, Object v) {
        if (v == null) {
            throw new ModelException(MISSING_ATTRIBUTE, attr, "The attribute " + attr
                    + " is required but was not specified.");
        }
    }
}
