package io.parvirt.hmc;

import io.parvirt.hmc.command.Filters;
import io.parvirt.hmc.command.UtilizationCommand;
import io.parvirt.hmc.command.UtilizationCommand.ListSampleRate;
import io.parvirt.hmc.command.UtilizationCommand.ListUtilization;
import io.parvirt.hmc.command.UtilizationCommand.Window;
import io.parvirt.model.UtilizationSample;
import io.parvirt.model.UtilizationSample.ResourceType;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code lslparutil} from its words; the time options become a {@link Window} here, against the
 * clock of the parse (see {@link UtilizationCommands} for the choices parvirt made).
 */
final class UtilizationParser {
    private static final List<String> RELATIVE = List.of("-d", "-h", "--minutes");
    private static final List<String> START = List.of("--startyear", "--startmonth", "--startday", "--starthour",
            "--startminute");
    private static final List<String> END = List.of("--endyear", "--endmonth", "--endday", "--endhour",
            "--endminute");

    private UtilizationParser() {
    }

    static UtilizationCommand parse(List<String> args, Instant now) {
        Options o = new Options().values("-r", "-m", "-d", "-h", "--minutes", "-n", "-s", "--filter")
                .values(START.toArray(String[]::new)).values(END.toArray(String[]::new)).withFields()
                .parse(args);
        String r = o.oneOf("-r", "lpar", "pool", "procpool", "sys", "all", "config", "mempool", "hmc");
        if (r.equals("mempool") || r.equals("hmc")) {
            o.filter(Set.of("event_types"));
            return new UtilizationCommand.ListUnsampled(o.require("-m"), r);
        }
        if (r.equals("config")) {
            Stream.of(RELATIVE, START, END, List.of("-n", "-s", "--filter")).flatMap(List::stream).filter(o::has)
                    .findFirst().ifPresent(opt -> {
                        throw HmcException.badParameter(opt);
                    });
            return new ListSampleRate(o.get("-m"), o.format());
        }
        String system = o.require("-m");
        Set<ResourceType> types = r.equals("all") ? EnumSet.allOf(ResourceType.class)
                : EnumSet.of(ResourceType.valueOf(r.toUpperCase(Locale.ROOT)));
        Window window = window(o, now);
        int perResource = o.has("-n") ? Options.integer("-n", o.get("-n"), 1, Integer.MAX_VALUE) : 0;
        if (o.has("-s")) {
            o.oneOf("-s", "s", "h", "d", "m");
        }
        Filters f = o.filter(filters(r));
        Set<String> eventTypes = Set.of();
        if (f.get("event_types") != null) {
            for (String e : f.get("event_types")) {
                if (!UtilizationSample.EVENT_TYPES.contains(e)) {
                    throw HmcException.badParameter("--filter");
                }
            }
            eventTypes = Set.copyOf(f.get("event_types"));
        }
        return new ListUtilization(system, types, window, perResource, eventTypes, f, o.format());
    }

    private static Set<String> filters(String r) {
        return switch (r) {
            case "lpar" -> Set.of("event_types", "lpar_names", "lpar_ids");
            case "procpool" -> Set.of("event_types", "pool_names", "pool_ids");
            case "all" -> Set.of("event_types", "lpar_names", "lpar_ids", "pool_names", "pool_ids");
            default -> Set.of("event_types");
        };
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
                return new Window(now.minus(UtilizationCommands.DEFAULT_WINDOW), null);
            }
            long minutes = 0;
            if (o.has("-d")) {
                minutes += Options.integer("-d", o.get("-d"), 0, 3650) * 24L * 60;
            }
            if (o.has("-h")) {
                minutes += Options.integer("-h", o.get("-h"), 0, 3650 * 24) * 60L;
            }
            if (o.has("--minutes")) {
                minutes += Options.integer("--minutes", o.get("--minutes"), 0, 3650 * 24 * 60);
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
        if (until != null && until.isBefore(since)) {
            return new Window(since, since); // an end before the start: an empty window, as before
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
            v[i] = o.has(opt) ? Options.integer(opt, o.get(opt), min[i], max[i]) : defaults[i];
        }
        try {
            return LocalDateTime.of(v[0], v[1], v[2], v[3], v[4]).atZone(zone).toInstant();
        } catch (DateTimeException e) {
            throw HmcException.badParameter(options.get(2));
        }
    }
}
