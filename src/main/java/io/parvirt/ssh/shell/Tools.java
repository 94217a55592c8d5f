package io.parvirt.ssh.shell;

import java.util.List;
import java.util.Set;

/**
 * The programs an HMC's restricted shell offers besides the HMC commands (reference §11:
 * {@code grep egrep sed sort tail date echo ping uname}), written in Java. None of them opens a
 * file: a file operand is "No such file or directory", and options whose purpose is to read or
 * write files ({@code grep -r}, {@code sed -i}/{@code e}/{@code w}, {@code sort -o},
 * {@code tail -f}) are refused.
 */
final class Tools {
    static final Set<String> NAMES = Set.of("grep", "egrep", "sed", "sort", "tail", "date", "uname", "ping");

    private Tools() {
    }

    static int run(String name, List<String> args, Io io) {
        return switch (name) {
            case "grep" -> Grep.run(args, io, false);
            case "egrep" -> Grep.run(args, io, true);
            case "sed" -> Sed.run(args, io);
            case "sort" -> Sort.run(args, io);
            case "tail" -> Tail.run(args, io);
            case "date" -> DateTool.run(args, io);
            case "uname" -> HostTools.uname(args, io);
            case "ping" -> HostTools.ping(args, io);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** {@code echo [-n] [-e|-E] ARG...}. */
    static String echo(List<String> args) {
        boolean newline = true;
        boolean escapes = false;
        int k = 0;
        while (k < args.size() && args.get(k).matches("-[neE]+")) {
            for (char f : args.get(k).substring(1).toCharArray()) {
                newline &= f != 'n';
                escapes = f == 'e' || (escapes && f != 'E');
            }
            k++;
        }
        String text = String.join(" ", args.subList(k, args.size()));
        if (escapes) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\\' && i + 1 < text.length()) {
                    char n = text.charAt(++i);
                    if (n == 'c') {
                        return b.toString();
                    }
                    b.append(escape(n));
                } else {
                    b.append(c);
                }
            }
            text = b.toString();
        }
        return newline ? text + "\n" : text;
    }

    static String escape(char c) {
        return switch (c) {
            case 'n' -> "\n";
            case 't' -> "\t";
            case 'r' -> "\r";
            case 'a' -> "\u0007";
            case 'b' -> "\b";
            case '\\' -> "\\";
            default -> "\\" + c;
        };
    }
}
