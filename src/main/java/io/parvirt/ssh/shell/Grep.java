package io.parvirt.ssh.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code grep} and {@code egrep} on standard input: {@code -E -F -G -i -v -c -w -x -q -n -s -h -e}.
 * File operands find nothing to read (the shell sees no file system); {@code -r} is refused.
 */
final class Grep {
    private Grep() {
    }

    static int run(List<String> args, Io io, boolean extended) {
        boolean fixed = false;
        boolean ignoreCase = false;
        boolean invert = false;
        boolean count = false;
        boolean word = false;
        boolean line = false;
        boolean quiet = false;
        boolean number = false;
        List<String> patterns = new ArrayList<>();
        List<String> files = new ArrayList<>();
        for (int k = 0; k < args.size(); k++) {
            String a = args.get(k);
            if (a.equals("--")) {
                files.addAll(args.subList(k + 1, args.size()));
                break;
            }
            if (a.equals("-e") && k + 1 < args.size()) {
                patterns.add(args.get(++k));
            } else if (a.startsWith("--") || a.startsWith("-") && a.length() > 1) {
                String flags = a.startsWith("--") ? longFlag(a) : a.substring(1);
                for (char f : flags.toCharArray()) {
                    switch (f) {
                        case 'E' -> extended = true;
                        case 'F' -> fixed = true;
                        case 'G' -> extended = false;
                        case 'i', 'y' -> ignoreCase = true;
                        case 'v' -> invert = true;
                        case 'c' -> count = true;
                        case 'w' -> word = true;
                        case 'x' -> line = true;
                        case 'q' -> quiet = true;
                        case 'n' -> number = true;
                        case 's', 'h', 'H' -> {
                        }
                        case 'r', 'R', 'd', 'D', 'f' -> {
                            io.err().write("grep: -" + f + ": not offered in the HMC shell (it reads files)\n");
                            return 2;
                        }
                        default -> {
                            io.err().write("grep: invalid option -- '" + f + "'\n");
                            return 2;
                        }
                    }
                }
            } else if (patterns.isEmpty() && !args.subList(0, k).contains("-e")) {
                patterns.add(a);
            } else {
                files.add(a);
            }
        }
        if (patterns.isEmpty()) {
            io.err().write("Usage: grep [OPTION]... PATTERNS [FILE]...\n");
            return 2;
        }
        if (!files.isEmpty() && !files.equals(List.of("-"))) {
            for (String f : files) {
                io.err().write("grep: " + f + ": No such file or directory\n");
            }
            return 2;
        }
        Pattern p;
        try {
            p = compile(patterns, extended, fixed, ignoreCase, word, line);
        } catch (IllegalArgumentException e) {
            io.err().write("grep: " + e.getMessage() + "\n");
            return 2;
        }
        int matched = 0;
        int n = 0;
        StringBuilder out = new StringBuilder();
        String text;
        while ((text = io.in().readLine()) != null) {
            n++;
            if (p.matcher(text).find() != invert) {
                matched++;
                if (!count && !quiet) {
                    out.append(number ? n + ":" : "").append(text).append('\n');
                }
            }
        }
        if (count) {
            out.append(matched).append('\n');
        }
        if (!quiet) {
            io.out().write(out.toString());
        }
        return matched > 0 ? 0 : 1;
    }

    private static String longFlag(String a) {
        return switch (a) {
            case "--extended-regexp" -> "E";
            case "--fixed-strings" -> "F";
            case "--ignore-case" -> "i";
            case "--invert-match" -> "v";
            case "--count" -> "c";
            case "--word-regexp" -> "w";
            case "--line-regexp" -> "x";
            case "--quiet", "--silent" -> "q";
            case "--line-number" -> "n";
            case "--recursive", "--dereference-recursive" -> "r";
            default -> a.startsWith("--include") || a.startsWith("--exclude") || a.startsWith("--file") ? "f" : "?";
        };
    }

    private static Pattern compile(List<String> patterns, boolean extended, boolean fixed, boolean ignoreCase,
            boolean word, boolean line) {
        List<String> alternatives = new ArrayList<>();
        for (String p : patterns) {
            for (String one : p.split("\n", -1)) {
                String re = fixed ? Pattern.quote(one) : Regex.translate(one, extended);
                alternatives.add(line ? "^(?:" + re + ")$" : word ? "(?<![A-Za-z0-9_])(?:" + re + ")(?![A-Za-z0-9_])"
                        : "(?:" + re + ")");
            }
        }
        try {
            return Pattern.compile(String.join("|", alternatives), ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("Invalid regular expression");
        }
    }
}
