package io.parvirt.model;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code lslparutil} sample: the cumulative counters and configuration of a partition, a
 * shared processor pool, the physical shared pool or the system at one instant. {@code attributes}
 * are the HMC attributes that follow {@code time, event_type, resource_type, sys_time}, in the
 * HMC's order (for a partition: {@code time_cycles, lpar_name, lpar_id, curr_proc_mode, ...}).
 * Cycles are nanoseconds of core time ({@code proc_cycles_per_second} is 1000000000).
 */
public record UtilizationSample(Instant time, ResourceType resourceType, int resourceId, String eventType,
        Map<String, String> attributes) {

    /** The {@code -r} of lslparutil a sample answers to. */
    public enum ResourceType {
        LPAR("lpar"), POOL("pool"), PROCPOOL("procpool"), SYS("sys");

        private final String hmcName;

        ResourceType(String hmcName) {
            this.hmcName = hmcName;
        }

        public String hmcName() {
            return hmcName;
        }
    }

    public static final long CYCLES_PER_SECOND = 1_000_000_000L;

    /** The event type of a periodic sample; the only one parvirt records so far. */
    public static final String SAMPLE = "sample";

    /**
     * Every {@code event_type} lslparutil knows (its {@code --filter "event_types=..."} values); the
     * store rejects a sample with any other.
     */
    public static final List<String> EVENT_TYPES = List.of(SAMPLE, "state_change", "config_change",
            "utility_cod_proc_usage");

    /** The attributes lslparutil prints before a sample's own {@code attributes}, for every resource type. */
    public static final List<String> LEADING_FIELDS = List.of("time", "event_type", "resource_type", "sys_time");

    /**
     * The HMC order of a partition sample's {@code attributes} (after {@link #LEADING_FIELDS}); a
     * producer puts them in this order, and lslparutil accepts exactly these (and the leading ones)
     * in {@code -F}.
     */
    public static final List<String> LPAR_FIELDS = List.of("time_cycles", "lpar_name", "lpar_id", "curr_proc_mode",
            "curr_proc_units", "curr_procs", "curr_sharing_mode", "curr_uncap_weight", "curr_shared_proc_pool_name",
            "curr_shared_proc_pool_id", "mem_mode", "curr_mem", "entitled_cycles", "capped_cycles",
            "uncapped_cycles", "shared_cycles_while_active", "idle_cycles", "donated_cycles");

    /** The HMC order of a physical shared pool ({@code -r pool}) sample's {@code attributes}. */
    public static final List<String> POOL_FIELDS = List.of("time_cycles", "total_pool_cycles",
            "utilized_pool_cycles", "configurable_pool_proc_units", "borrowed_pool_proc_units",
            "curr_avail_pool_proc_units");

    /** The HMC order of a shared processor pool ({@code -r procpool}) sample's {@code attributes}. */
    public static final List<String> PROCPOOL_FIELDS = List.of("time_cycles", "shared_proc_pool_id",
            "shared_proc_pool_name", "total_pool_cycles", "utilized_pool_cycles", "max_pool_proc_units");

    /** The HMC order of a system ({@code -r sys}) sample's {@code attributes}. */
    public static final List<String> SYS_FIELDS = List.of("state", "configurable_sys_proc_units",
            "configurable_sys_mem", "curr_avail_sys_proc_units", "curr_avail_sys_mem", "sys_firmware_mem",
            "proc_cycles_per_second");

    /** The HMC order of the {@code attributes} of a sample of {@code type}. */
    public static List<String> fields(ResourceType type) {
        return switch (type) {
            case LPAR -> LPAR_FIELDS;
            case POOL -> POOL_FIELDS;
            case PROCPOOL -> PROCPOOL_FIELDS;
            case SYS -> SYS_FIELDS;
        };
    }

    public UtilizationSample {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(eventType, "eventType");
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }
}
