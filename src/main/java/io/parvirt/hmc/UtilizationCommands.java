package io.parvirt.hmc;

import io.parvirt.model.Limits;
import io.parvirt.model.ModelException;
import io.parvirt.model.UtilizationSample;
import io.parvirt.model.UtilizationSample.ResourceType;
import io.parvirt.model.Values;
import io.parvirt.store.UtilizationQuery;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

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

    private static final List<String> RELATIVE = List.of("-d", "-h", "--minutes");
    private static final List<String> START = List.of("--startyear", "--startmonth", "--startday", "--starthour",
            "--startminute");
    private static final List<String> END = List.of("--endyear", "--endmonth", "--endday", "--endhour",
            "--endminute");

    HmcResult lslparutil(Hmc.Context c) {
        Options o = new Options().values("-r", "-m", "-d", "-h", "--minutes", "-n", "-s", "--filter")
                .values(START.toArray(String[]::new)).values(END.toArray(String[]::new)).withFields()
                .parse(c.args());
        String r = o.oneOf("-r", "lpar", "pool", "procpool", "sys", "all", "config");
        if (r.equals("config")) {
            return config(c, o);
        }
        Systems.check(c.sys(), o.require("-m"));
        Set<ResourceType> types = r.equals("all") ? EnumSet.allOf(ResourceType.class)
                : EnumSet.of(ResourceType.valueOf(r.toUpperCase(Locale.ROOT)));
        Window window = window(o, Instant.now());
        int perResource = o.has("-n") ? parse("-n", o.get("-n"), 1, Integer.MAX_VALUE) : 0;
        if (o.has("-s")) {
            o.oneOf("-s", "s", "h", "d", "m");
        }
        Filter f = Filter.parse(o.get("--filter"), filters(r));
        Set<String> eventTypes = Set.of();
        if (f.get("event_types") != null) {
            for (String e : f.get("event_types")) {
                if (!UtilizationSample.EVENT_TYPES.contains(e)) {
                    throw HmcException.badParameter("--filter");
                }
            }
            eventTypes = Set.copyOf(f.get("event_types"));
        }
        Predicate<UtilizationSample> wanted = partitionFilter(c, f).and(poolFilter(f));
        List<UtilizationSample> samples = c.sys().utilization(new UtilizationQuery(types, window.since(),
                window.until(), eventTypes, 0));
        Map<String, Integer> listed = new HashMap<>();
        List<Row> rows = new ArrayList<>();
        for (UtilizationSample s : samples) {
            if (!wanted.test(s)) {
                continue;
            }
            if (perResource > 0 && listed.merge(s.resourceType() + ":" + s.resourceId(), 1, Integer::sum)
                    > perResource) {
                continue;
            }
            rows.add(row(s));
        }
        Set<String> known = new LinkedHashSet<>(UtilizationSample.LEADING_FIELDS);
        for (ResourceType t : types) {
            known.addAll(UtilizationSample.fields(t));
        }
        return Listing.render(rows, o.fields(), o.header(), known);
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
    private static HmcResult config(Hmc.Context c, Options o) {
        Stream.of(RELATIVE, START, END, List.of("-n", "-s", "--filter")).flatMap(List::stream).filter(o::has)
                .findFirst().ifPresent(opt -> {
                    throw HmcException.badParameter(opt);
                });
        Row row = new Row();
        if (o.has("-m")) {
            Systems.check(c.sys(), o.get("-m"));
        } else {
            row.put("name", c.sys().definition().settings().name()).put("type_model_serial_num",
                    SystemView.mtms(c.sys().host()));
        }
        row.put("sample_rate", c.sys().utilizationSampleSeconds());
        return Listing.render(List.of(row), o.fields(), o.header(), Set.copyOf(row.names()));
    }

    private static Set<String> filters(String r) {
        return switch (r) {
            case "lpar" -> Set.of("event_types", "lpar_names", "lpar_ids");
            case "procpool" -> Set.of("event_types", "pool_names", "pool_ids");
            case "all" -> Set.of("event_types", "lpar_names", "lpar_ids", "pool_names", "pool_ids");
            default -> Set.of("event_types");
        };
    }

    /**
     * Partition samples whose {@code lpar_name} or {@code lpar_id} the filter names; every other
     * sample passes. A name or id not defined now is HSCL8012 (checked as lssyscfg checks it).
     */
    private static Predicate<UtilizationSample> partitionFilter(Hmc.Context c, Filter f) {
        List<String> names = f.get("lpar_names");
        List<String> ids = f.get("lpar_ids");
        if (names == null && ids == null) {
            return s -> true;
        }
        SyscfgCommands.partitions(c.sys().definition(), f);
        Set<String> nameSet = names == null ? Set.of() : Set.copyOf(names);
        Set<String> idSet = new HashSet<>();
        if (ids != null) {
            for (String id : ids) {
                idSet.add(Integer.toString(parse("--filter", id, 1, Limits.MAX_LPARS)));
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
                idSet.add(Integer.toString(parse("--filter", id, 0, Limits.MAX_SHARED_PROC_POOLS - 1)));
            }
        }
        return s -> s.resourceType() != ResourceType.PROCPOOL
                || nameSet.contains(s.attributes().get("shared_proc_pool_name"))
                || idSet.contains(s.attributes().get("shared_proc_pool_id"));
    }

    /** The samples to list: taken at or after {@code since} and before {@code until} (null: no end). */
    private record Window(Instant since, Instant until) {
    }

    /** The window the time options name, or the default window. */
    private static Window window(Options o, Instant now) {
        String relative = RELATIVE.stream().filter(o::has).findFirst().orElse(null);
        String absolute = Stream.concat(START.stream(), END.stream()).filter(o::has).findFirst()
                .orElse(null);
        if (relative != null && absolute != null) {
            throw HmcException.badParameter(relative, absolute);
        }
        if (absolute == null) {
            if (relative == null) {
                return new Window(now.minus(DEFAULT_WINDOW), null);
            }
            long minutes = 0;
            if (o.has("-d")) {
                minutes += parse("-d", o.get("-d"), 0, 3650) * 24L * 60;
            }
            if (o.has("-h")) {
                minutes += parse("-h", o.get("-h"), 0, 3650 * 24) * 60L;
            }
            if (o.has("--minutes")) {
                minutes += parse("--minutes", o.get("--minutes"), 0, 3650 * 24 * 60);
            }
            return new Window(now.minus(Duration.ofMinutes(minutes)), null);
        }
        ZoneId zone = ZoneId.systemDefault();
        Instant since = at(o, START, new int[] {1970, 1, 1, 0, 0}, zone);
        Instant until = null;
        if (END.stream().anyMatch(o::has)) {
            LocalDateTime n = LocalDateTime.ofInstant(now, zone);
            until = at(o, END, new int[] {n.getYear(), n.getMonthValue(), n.getDayOfMonth(), n.getHour(),
                    n.getMinute()}, zone).plus(Duration.ofMinutes(1));
        }
        return new Window(since, until);
    }

    /** The minute {@code options} (year, month, day, hour, minute) name; unset fields from {@code defaults}. */
    private static Instant at(Options o, List<String> options, int[] defaults, ZoneId zone) {
        int[] min = {1970, 1, 1, 0, 0};
        int[] max = {9999, 12, 31, 23, 59};
        int[] v = new int[5];
        for (int i = 0; i < 5; i++) {
            String opt = options.get(i);
            v[i] = o.has(opt) ? parse(opt, o.get(opt), min[i], max[i]) : defaults[i];
        }
        try {
            return LocalDateTime.of(v[0], v[1], v[2], v[3], v[4]).atZone(zone).toInstant();
        } catch (DateTimeException e) {
            throw HmcException.badParameter(options.get(2));
        }
    }

    private static int parse(String option, String value, int min, int max) {
        try {
            return Values.parseInt(option, value, min, max);
        } catch (ModelException e) {
            throw HmcException.badParameter(option);
        }
    }
}
