package io.parvirt.ssh.shell;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code sort} of standard input in the C locale: {@code -n -r -u -f -b -t SEP -k N[,M][n][r]}.
 * {@code -o FILE} and file operands are refused (the shell writes and reads no files).
 */
final class Sort {
    private Sort() {
    }

    static int run(List<String> args, Io io) {
        boolean numeric = false;
        boolean reverse = false;
        boolean unique = false;
        boolean fold = false;
        String sep = null;
        int keyFrom = 0;
        int keyTo = 0;
        for (int k = 0; k < args.size(); k++) {
            String a = args.get(k);
            if (a.equals("-t") || a.equals("-k")) {
                if (k + 1 >= args.size()) {
                    io.err().write("sort: option requires an argument -- '" + a.charAt(1) + "'\n");
                    return 2;
                }
                a = a + args.get(++k);
            }
            if (a.startsWith("-t")) {
                sep = a.substring(2);
            } else if (a.startsWith("-k")) {
                String spec = a.substring(2);
                numeric |= spec.contains("n");
                reverse |= spec.contains("r");
                String[] range = spec.replaceAll("[a-zA-Z]", "").split(",");
                try {
                    keyFrom = Integer.parseInt(range[0].split("\\.")[0]);
                    keyTo = range.length > 1 ? Integer.parseInt(range[1].split("\\.")[0]) : 0;
                } catch (NumberFormatException e) {
                    io.err().write("sort: invalid number at field start: invalid count at start of '" + spec + "'\n");
                    return 2;
                }
            } else if (a.startsWith("-o") || a.startsWith("--output") || a.startsWith("-T")
                    || a.startsWith("--files0-from") || a.startsWith("--compress-program")) {
                io.err().write("sort: " + a + ": not offered in the HMC shell (it writes or reads files)\n");
                return 2;
            } else if (a.startsWith("-") && a.length() > 1) {
                for (char f : a.substring(1).toCharArray()) {
                    switch (f) {
                        case 'n', 'g', 'h' -> numeric = true;
                        case 'r' -> reverse = true;
                        case 'u' -> unique = true;
                        case 'f' -> fold = true;
                        case 'b', 's', 'd' -> {
                        }
                        default -> {
                            io.err().write("sort: invalid option -- '" + f + "'\n");
                            return 2;
                        }
                    }
                }
            } else if (!a.equals("-")) {
                io.err().write("sort: cannot read: " + a + ": No such file or directory\n");
                return 2;
            }
        }
        List<String> lines = new ArrayList<>();
        String l;
        while ((l = io.in().readLine()) != null) {
            lines.add(l);
        }
        final String fs = sep;
        final int from = keyFrom;
        final int to = keyTo;
        final boolean f = fold;
        Comparator<String> byKey = numeric
                ? Comparator.comparingDouble(s -> number(key(s, fs, from, to)))
                : Comparator.comparing(s -> f ? key(s, fs, from, to).toUpperCase() : key(s, fs, from, to));
        Comparator<String> order = reverse ? byKey.reversed() : byKey;
        // GNU sort breaks ties by the whole line unless -u or -s; -u keeps the first of equal keys.
        lines.sort(unique ? order : order.thenComparing(reverse ? Comparator.<String>reverseOrder()
                : Comparator.<String>naturalOrder()));
        StringBuilder out = new StringBuilder();
        List<String> kept = lines;
        if (unique) {
            kept = new ArrayList<>();
            for (String s : lines) {
                if (kept.isEmpty() || order.compare(kept.getLast(), s) != 0) {
                    kept.add(s);
                }
            }
        }
        for (String s : kept) {
            out.append(s).append('\n');
        }
        io.out().write(out.toString());
        return 0;
    }

    private static String key(String line, String sep, int from, int to) {
        if (from <= 0) {
            return line;
        }
        List<String> fields = new ArrayList<>();
        if (sep == null) {
            for (String x : line.strip().split("[ \t]+")) {
                fields.add(x);
            }
        } else {
            for (String x : line.split(java.util.regex.Pattern.quote(sep), -1)) {
                fields.add(x);
            }
        }
        int end = to <= 0 ? fields.size() : Math.min(to, fields.size());
        if (from > fields.size()) {
            return "";
        }
        return String.join(sep == null ? " " : sep, fields.subList(from - 1, Math.max(from - 1, end)));
    }

    private static double number(String s) {
        var m = java.util.regex.Pattern.compile("^\\s*(-?[0-9]*\\.?[0-9]+)").matcher(s);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
