package io.parvirt.hmc;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import io.parvirt.hmc.command.Filters;
import io.parvirt.hmc.command.Format;
import io.parvirt.hmc.command.PartitionRef;
import io.parvirt.hmc.command.PoolRef;
import io.parvirt.model.Limits;
import io.parvirt.model.ModelException;
import io.parvirt.model.Values;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The options one HMC command takes, parsed with picocli; any parse failure becomes the HMC's
 * "missing a required parameter or a parameter value is invalid" sentence naming the parameter.
 */
final class Options {
    private final CommandSpec spec = CommandSpec.create();
    private ParseResult result;

    /** Options that take one value. */
    Options values(String... names) {
        for (String n : names) {
            spec.addOption(OptionSpec.builder(n).arity("1").type(String.class).build());
        }
        return this;
    }

    /** Options that take no value. */
    Options flags(String... names) {
        for (String n : names) {
            spec.addOption(OptionSpec.builder(n).arity("0").type(boolean.class).build());
        }
        return this;
    }

    /** {@code -F} with an optional field list and {@code --header}. */
    Options withFields() {
        spec.addOption(OptionSpec.builder("-F").arity("0..1").type(String.class).build());
        return flags("--header");
    }

    Options parse(List<String> args) {
        CommandLine cl = new CommandLine(spec);
        cl.setExpandAtFiles(false);
        cl.setPosixClusteredShortOptionsAllowed(false);
        cl.setUnmatchedOptionsArePositionalParams(false);
        try {
            result = cl.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.MissingParameterException e) {
            throw HmcException.badParameter(e.getMissing().stream().map(a -> a instanceof OptionSpec o
                    ? o.longestName() : a.paramLabel()).toArray(String[]::new));
        } catch (CommandLine.UnmatchedArgumentException e) {
            throw HmcException.badParameter(e.getUnmatched().getFirst());
        } catch (CommandLine.ParameterException e) {
            String name = e.getArgSpec() instanceof OptionSpec o ? o.longestName() : String.join(" ", args);
            throw HmcException.badParameter(name);
        }
        return this;
    }

    boolean has(String name) {
        return result.hasMatchedOption(name);
    }

    String get(String name) {
        return result.matchedOptionValue(name, null);
    }

    /** The value, or the HMC's missing-parameter error. */
    String require(String name) {
        String v = get(name);
        if (v == null) {
            throw HmcException.badParameter(name);
        }
        return v;
    }

    /** One of a set of values, else the parameter is invalid. */
    String oneOf(String name, String... allowed) {
        String v = require(name);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw HmcException.badParameter(name);
    }

    /** {@code -F}: null when absent, empty for a bare {@code -F}. */
    String fields() {
        return has("-F") ? get("-F") : null;
    }

    boolean header() {
        return has("--header");
    }

    /** Which of two mutually exclusive selectors was given, and its value. */
    record Selected(String option, String value) {
    }

    /** Exactly one of two mutually exclusive selectors, e.g. {@code -n} and {@code --id}. */
    Selected exactlyOne(String a, String b) {
        boolean ha = has(a);
        boolean hb = has(b);
        if (ha == hb) {
            throw HmcException.badParameter(ha ? new String[] {a, b} : new String[] {a + " or " + b});
        }
        return ha ? new Selected(a, get(a)) : new Selected(b, get(b));
    }

    /** {@code -n NAME}/{@code -p NAME} or {@code --id N}, exactly one; an id that cannot be one is invalid. */
    PartitionRef partition(String nameOption, String idOption) {
        return partition(exactlyOne(nameOption, idOption), nameOption);
    }

    /** A selection of {@code nameOption} or an id option as the partition it names. */
    static PartitionRef partition(Selected sel, String nameOption) {
        if (sel.option().equals(nameOption)) {
            if (sel.value().isEmpty()) {
                throw HmcException.badParameter(nameOption); // -p "" names nothing (found by HmcRefusalFuzzTest)
            }
            return new PartitionRef.ByName(sel.value());
        }
        return new PartitionRef.ById(integer(sel.option(), sel.value(), 1, Limits.MAX_LPARS));
    }

    /** {@code --poolname NAME} or {@code --id N}, exactly one. */
    PoolRef pool() {
        Selected sel = exactlyOne("--poolname", "--id");
        if (sel.option().equals("--poolname")) {
            if (sel.value().isEmpty()) {
                throw HmcException.badParameter("--poolname");
            }
            return new PoolRef.ByName(sel.value());
        }
        return new PoolRef.ById(integer("--id", sel.value(), 0, Limits.MAX_SHARED_PROC_POOLS - 1));
    }

    /** A whole number in a range, else the option's value is invalid. */
    static int integer(String option, String value, int min, int max) {
        try {
            return Values.parseInt(option, value, min, max);
        } catch (ModelException e) {
            throw HmcException.badParameter(option);
        }
    }

    /** {@code -F} and {@code --header}. */
    Format format() {
        return new Format(fields(), header());
    }

    /** {@code --filter}, each name checked against {@code allowed}. */
    Filters filter(Set<String> allowed) {
        return new Filters(Filter.parse(get("--filter"), allowed).values());
    }

    static List<String> tail(List<String> argv) {
        return new ArrayList<>(argv.subList(1, argv.size()));
    }
}
