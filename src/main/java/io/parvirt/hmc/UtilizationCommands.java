package io.parvirt.hmc;

import io.parvirt.hmc.command.UtilizationCommand;
import io.parvirt.hmc.command.UtilizationCommand.ListSampleRate;
import io.parvirt.hmc.command.UtilizationCommand.ListUtilization;
import io.parvirt.model.Limits;
import io.parvirt.model.UtilizationSample;
import io.parvirt.model.UtilizationSample.ResourceType;
import io.parvirt.store.UtilizationQuery;
import io.parvirt.system.ManagedSystem;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code lslparutil}: lists the utilization samples the sampler stored, as an HMC lists them, and
 * with {@code -r config} the sample rate. Where the HMC's behaviour is not known, parvirt chooses:
 * <ul>
 * <li>No {@code -d}/{@code -h}/{@code --minutes} and no {@code --start...}/{@code --end...}: the
 * last {@link #DEFAULT_WINDOW} (1 day). The HMC's own default is unconfirmed.</li>
 * <li>{@code -d}, {@code -h} and {@code --minutes} add up to one window ending now; they cannot be
 * combined with {@code --start...}/{@code --end...}. Unset start fields default to 1970-01-01
 * 00:00, unset end fields to the current date and time; the end minute is included whole. Times
 * are in the host's time zone, as printed.</li>
 * <li>{@code -n N}: the newest N samples of each resource (each partition, each pool, ...).</li>
 * <li>{@code -s} is checked ({@code s|h|d|m}) and otherwise ignored: parvirt keeps only samples
 * at its sample rate, so every stored sample is listed whatever the rate asked for.</li>
 * <li>{@code --filter}: {@code event_types} for every {@code -r}; {@code lpar_names}/{@code lpar_ids}
 * (partition samples, by {@code lpar_name}/{@code lpar_id}) with {@code -r lpar|all};
 * {@code pool_names}/{@code pool_ids} (shared processor pool samples, by
 * {@code shared_proc_pool_name}/{@code shared_proc_pool_id}) with {@code -r procpool|all}. A
 * filter restricts only the samples it is about. A partition the filter names that is not defined
 * now is HSCL8012, as for the other commands.</li>
 * <li>{@code -r config -m SYS} prints {@code sample_rate} alone; without {@code -m},
 * {@code name,type_model_serial_num,sample_rate} (as clients' {@code -F name,sample_rate} suggests;
 * the exact attribute set is unconfirmed).</li>
 * <li>{@code -r hmc} and {@code -r mempool} are not offered: parvirt records no HMC events and has
 * no shared memory pool.</li>
 * </ul>
 */
final class UtilizationCommands {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    /** The window listed when the command names none. */
    static final Duration DEFAULT_WINDOW = Duration.ofDays(1);

    private final ManagedSystem sys;

    UtilizationCommands(ManagedSystem sys) {
        this.sys = sys;
    }

    HmcResult run(UtilizationCommand command) {
        return switch (command) {
            case ListSampleRate l -> config(l);
            case ListUtilization l -> list(l);
            case io.parvirt.hmc.command.UtilizationCommand.ListUnsampled l -> {
                Systems.check(sys, l.system());
                yield Listing.render(List.of(), null, false, Set.of());
            }
        };
    }

    private HmcResult list(ListUtilization l) {
        Systems.check(sys, l.system());
        Filter f = new Filter(l.filter().values());
        Predicate<UtilizationSample> wanted = partitionFilter(f).and(poolFilter(f));
        List<UtilizationSample> samples = sys.utilization(new UtilizationQuery(l.types(), l.window().since(),
                l.window().until(), l.eventTypes(), 0));
        Map<String, Integer> listed = new HashMap<>();
        List<Row> rows = new ArrayList<>();
        for (UtilizationSample s : samples) {
            if (!wanted.test(s)) {
                continue;
            }
            if (l.perResource() > 0 && listed.merge(s.resourceType() + ":" + s.resourceId(), 1, Integer::sum)
                    > l.perResource()) {
                continue;
            }
            rows.add(row(s));
        }
        Set<String> known = new LinkedHashSet<>(UtilizationSample.LEADING_FIELDS);
        for (ResourceType t : ResourceType.values()) {
            if (l.types().contains(t)) {
                known.addAll(UtilizationSample.fields(t));
            }
        }
        return Listing.render(rows, l.format().fields(), l.format().header(), known);
    }

    /** One listed sample: the four leading attributes, then the sample's own in their stored order. */
    static Row row(UtilizationSample s) {
        String time = TIME.format(s.time());
        Row row = new Row().put("time", time).put("event_type", s.eventType())
                .put("resource_type", s.resourceType().hmcName()).put("sys_time", time);
        s.attributes().forEach(row::put);
        return row;
    }

    /** {@code -r config}: with {@code -m} the system's settings alone, without it one line per system. */
    private HmcResult config(ListSampleRate l) {
        Row row = new Row();
        if (l.system() != null) {
            Systems.check(sys, l.system());
        } else {
            row.put("name", sys.definition().settings().name()).put("type_model_serial_num",
                    SystemView.mtms(sys.host()));
        }
        row.put("sample_rate", sys.utilizationSampleSeconds());
        return Listing.render(List.of(row), l.format().fields(), l.format().header(), Set.copyOf(row.names()));
    }

    /**
     * Partition samples whose {@code lpar_name} or {@code lpar_id} the filter names; every other
     * sample passes. A name or id not defined now is HSCL8012 (checked as lssyscfg checks it).
     */
    private Predicate<UtilizationSample> partitionFilter(Filter f) {
        List<String> names = f.get("lpar_names");
        List<String> ids = f.get("lpar_ids");
        if (names == null && ids == null) {
            return s -> true;
        }
        SyscfgCommands.partitions(sys.definition(), f);
        Set<String> nameSet = names == null ? Set.of() : Set.copyOf(names);
        Set<String> idSet = new HashSet<>();
        if (ids != null) {
            for (String id : ids) {
                idSet.add(Integer.toString(Options.integer("--filter", id, 1, Limits.MAX_LPARS)));
            }
        }
        return s -> s.resourceType() != ResourceType.LPAR || nameSet.contains(s.attributes().get("lpar_name"))
                || idSet.contains(s.attributes().get("lpar_id"));
    }

    /** Shared processor pool samples whose name or id the filter names; every other sample passes. */
    private static Predicate<UtilizationSample> poolFilter(Filter f) {
        List<String> names = f.get("pool_names");
        List<String> ids = f.get("pool_ids");
        if (names == null && ids == null) {
            return s -> true;
        }
        Set<String> nameSet = names == null ? Set.of() : Set.copyOf(names);
        Set<String> idSet = new HashSet<>();
        if (ids != null) {
            for (String id : ids) {
                idSet.add(Integer.toString(Options.integer("--filter", id, 0, Limits.MAX_SHARED_PROC_POOLS - 1)));
            }
        }
        return s -> s.resourceType() != ResourceType.PROCPOOL
                || nameSet.contains(s.attributes().get("shared_proc_pool_name"))
                || idSet.contains(s.attributes().get("shared_proc_pool_id"));
    }
}
