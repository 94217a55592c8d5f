package io.parvirt.partition;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.image.PartitionImage;
import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.AttributeInput;
import io.parvirt.model.HptRatio;
import io.parvirt.model.LparState;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import io.parvirt.vios.MappedDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A golden case of {@link LaunchPlanner}: the partitions as {@code mksyscfg -r lpar} records (made
 * through the real {@link ManagedSystem} on a real store), pools changed as {@code chhwres -r
 * procpool -a} records, the partition to activate, and the facts of the system around it. Fields
 * left out of {@code environment} take the defaults below.
 */
@JsonIgnoreProperties({"description"})
record LaunchFixture(List<String> partitions, Map<String, String> pools, String activate, String profile,
        Environment environment) {
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    record Environment(String qemuBinary, String accel, Boolean hardwareKvm, String macPrefix, String runRoot,
            Long availMemMb, String availProcUnits, String poolRoom, Map<String, Image> images,
            Map<String, String> macsInUse, Map<String, LparState> states, List<Scsi> scsi, String java,
            String classPath, String qemuUser, Boolean vhostUser, Boolean vhostUserBlk) {
    }

    record Image(String kernel, String initramfs, String disk) {
    }

    /** A mapping of the client: its VIOS by name, the VTD, the client slot and the VIOS's LUN index. */
    record Scsi(String vios, String vtd, int clientSlot, int lunIndex, String file, MappedDevice.Kind kind,
            boolean readOnly, boolean fileExists, Boolean vhostServed) {
    }

    static LaunchFixture read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), LaunchFixture.class);
    }

    /** The managed system the partitions are defined on, in a store under {@code dir}. */
    ManagedSystem system(Path dir, SqliteStore store) {
        SystemSettings seed = new SystemSettings("golden", 256, ProcUnits.parse("host.reserved_proc_units", "0"), 1024,
                HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
        ManagedSystem sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "1234567", "127.0.0.1"), store, seed);
        if (pools != null) {
            pools.forEach((name, attrs) -> sys.changePool(sys.definition().pool(name).orElseThrow(),
                    AttributeInput.parseRecord(attrs), "golden"));
        }
        List<List<AttributeInput.Assignment>> records = new ArrayList<>();
        for (String r : partitions) {
            records.add(AttributeInput.parseRecord(r));
        }
        sys.createPartitions(records, "golden");
        return sys;
    }

    /** Partitions get random UUIDs when made; golden files need a fixed one. */
    static Partition withFixedUuid(Partition p) {
        return new Partition(p.id(), p.name(), p.env(), p.defaultProfile(),
                String.format("00000000-0000-4000-8000-%012d", p.id()), p.options());
    }

    LaunchEnvironment environment(ManagedSystem sys) {
        Environment e = environment != null ? environment : new Environment(null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null);
        Map<String, PartitionImage> images = new HashMap<>();
        if (e.images() == null) {
            images.put("default", new PartitionImage("default", Path.of("/h/images/default/vmlinuz"),
                    Path.of("/h/images/default/initramfs.img"), null, ""));
        } else {
            e.images().forEach((n, i) -> images.put(n, new PartitionImage(n, path(i.kernel()), path(i.initramfs()),
                    path(i.disk()), "")));
        }
        Map<Integer, LparState> states = new HashMap<>();
        if (e.states() != null) {
            e.states().forEach((n, s) -> states.put(sys.partition(n).id(), s));
        }
        List<LaunchEnvironment.ScsiMapping> scsi = new ArrayList<>();
        for (Scsi s : e.scsi() == null ? List.<Scsi>of() : e.scsi()) {
            scsi.add(new LaunchEnvironment.ScsiMapping(new MappedDevice(sys.partition(s.vios()).id(), s.vtd(),
                    s.clientSlot(), MappedDevice.lun(s.lunIndex()), path(s.file()), s.kind(), s.readOnly()),
                    s.fileExists(), s.vhostServed() == null || s.vhostServed()));
        }
        return new LaunchEnvironment(or(e.qemuBinary(), "/usr/bin/qemu-system-x86_64"), or(e.accel(), "tcg"),
                or(e.hardwareKvm(), false), or(e.macPrefix(), "0E5056"), Path.of(or(e.runRoot(), "/h/run/lpar")),
                or(e.availMemMb(), 16384L), ProcUnits.parse("availProcUnits", or(e.availProcUnits(), "4.0")),
                ProcUnits.parse("poolRoom", or(e.poolRoom(), "4.0")), images,
                e.macsInUse() == null ? Map.of() : e.macsInUse(), states, scsi,
                new LaunchEnvironment.StorageServerCommand(or(e.java(), "/usr/lib/jvm/temurin-25/bin/java"),
                        or(e.classPath(), "/opt/parvirt/parvirt.jar")), e.qemuUser(),
                or(e.vhostUser(), false), or(e.vhostUserBlk(), false));
    }

    private static Path path(String s) {
        return s == null ? null : Path.of(s);
    }

    private static <T> T or(T value, T otherwise) {
        return value != null ? value : otherwise;
    }
}
