package io.parvirt.vios;

import io.parvirt.model.Partition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * The VIOS's restricted shell ({@code ioscli}) as {@code viosvrcmd -c} reaches it: one command
 * line, split into words (single and double quotes group), run against one VIOS partition.
 */
public final class ViosShell {
    /**
     * Who runs a command: the HMC user, and whether they may name any host file (the home's owner
     * and hmcsuperadmin) or only files under the import directory ({@link ViosService#importDir}).
     */
    public record Caller(String user, boolean anyHostFile) {
    }

    /** What the VIOS printed and its exit code (0, or 1 for any refused command). */
    public record Result(String stdout, int exitCode) {
    }

    private final ViosService svc;
    private final Map<String, BiFunction<ViosContext, List<String>, String>> commands = new TreeMap<>();

    public ViosShell(ViosService svc) {
        this(svc, EthernetStatistics.NONE);
    }

    /** With the switch's counters for {@code entstat}. */
    public ViosShell(ViosService svc, EthernetStatistics ethernet) {
        this.svc = svc;
        commands.put("mksp", StorageCommands::mksp);
        commands.put("chsp", StorageCommands::chsp);
        commands.put("rmsp", StorageCommands::rmsp);
        commands.put("lssp", Listings::lssp);
        commands.put("mkbdsp", StorageCommands::mkbdsp);
        commands.put("rmbdsp", StorageCommands::rmbdsp);
        commands.put("mkvdev", MappingCommands::mkvdev);
        commands.put("rmvdev", MappingCommands::rmvdev);
        commands.put("lsmap", Listings::lsmap);
        commands.put("lsdev", DeviceCommands::lsdev);
        commands.put("mkrep", MediaCommands::mkrep);
        commands.put("lsrep", Listings::lsrep);
        commands.put("mkvopt", MediaCommands::mkvopt);
        commands.put("rmvopt", MediaCommands::rmvopt);
        commands.put("lsvopt", Listings::lsvopt);
        commands.put("loadopt", MediaCommands::loadopt);
        commands.put("unloadopt", MediaCommands::unloadopt);
        // what inventory and monitoring tools send (issue 15)
        commands.put("ioslevel", DeviceCommands::ioslevel);
        commands.put("lspv", DeviceCommands::lspv);
        commands.put("chkdev", DeviceCommands::chkdev);
        commands.put("license", DeviceCommands::license);
        commands.put("fcstat", DeviceCommands::fcstat);
        commands.put("entstat", (c, w) -> DeviceCommands.entstat(c, w, ethernet));
    }

    /**
     * Runs {@code commandLine} on {@code vios}; {@code locationPrefix} is {@code U<type>.<model>.<serial>}.
     * A refused command prints {@code <command>: <sentence>} and exits 1, having changed nothing.
     */
    public Result run(Partition vios, String commandLine, String locationPrefix, Caller caller) {
        List<String> words;
        try {
            words = split(commandLine);
        } catch (ViosException e) {
            return new Result("viosvrcmd: " + e.getMessage() + "\n", 1);
        }
        if (words.isEmpty()) {
            return new Result("viosvrcmd: No command was given.\n", 1);
        }
        String name = words.getFirst().equals("ioscli") && words.size() > 1 ? words.get(1) : words.getFirst();
        List<String> rest = words.subList(words.indexOf(name) + 1, words.size());
        var cmd = commands.get(name);
        if (cmd == null) {
            return new Result(name + ": The command " + name + " is not a valid Virtual I/O Server command here. "
                    + "Valid commands are: " + String.join(", ", commands.keySet()) + ".\n", 1);
        }
        try {
            return new Result(cmd.apply(new ViosContext(svc, vios, locationPrefix, caller.user(), caller.anyHostFile()), rest), 0);
        } catch (ViosException e) {
            return new Result(name + ": " + e.getMessage() + "\n", 1);
        }
    }

    /** Words of a command line; quotes group words and are removed. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (char ch : line.toCharArray()) {
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0;
                } else {
                    w.append(ch);
                }
            } else if (ch == '\'' || ch == '"') {
                quote = ch;
                inWord = true;
            } else if (Character.isWhitespace(ch)) {
                if (inWord) {
                    out.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(ch);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new ViosException(ViosException.Kind.USAGE, null, "The command line has an unclosed quote.");
        }
        if (inWord) {
            out.add(w.toString());
        }
        return out;
    }
}
