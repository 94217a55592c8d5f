package io.parvirt.ssh.shell;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** {@code tail} of standard input: {@code -n N}, {@code -N}, {@code -n +N}; files and {@code -f} refused. */
final class Tail {
    private Tail() {
    }

    static int run(List<String> args, Io io) {
        String count = "10";
        for (int k = 0; k < args.size(); k++) {
            String a = args.get(k);
            if (a.equals("-n") && k + 1 < args.size()) {
                count = args.get(++k);
            } else if (a.startsWith("-n") || a.startsWith("--lines=")) {
                count = a.substring(a.startsWith("-n") ? 2 : 8);
            } else if (a.matches("-[0-9]+")) {
                count = a.substring(1);
            } else if (a.startsWith("-f") || a.startsWith("-F") || a.startsWith("--follow")) {
                io.err().write("tail: " + a + ": not offered in the HMC shell (it follows files)\n");
                return 1;
            } else if (a.startsWith("-") && a.length() > 1) {
                io.err().write("tail: invalid option -- '" + a.substring(1) + "'\n");
                return 1;
            } else if (!a.equals("-")) {
                io.err().write("tail: cannot open '" + a + "' for reading: No such file or directory\n");
                return 1;
            }
        }
        boolean fromStart = count.startsWith("+");
        int n;
        try {
            n = Integer.parseInt(fromStart ? count.substring(1) : count);
        } catch (NumberFormatException e) {
            io.err().write("tail: invalid number of lines: '" + count + "'\n");
            return 1;
        }
        List<String> out = new ArrayList<>();
        ArrayDeque<String> last = new ArrayDeque<>();
        String l;
        int line = 0;
        while ((l = io.in().readLine()) != null) {
            line++;
            if (fromStart) {
                if (line >= n) {
                    out.add(l);
                }
            } else if (n > 0) {
                last.add(l);
                if (last.size() > n) {
                    last.removeFirst();
                }
            }
        }
        StringBuilder b = new StringBuilder();
        for (String s : fromStart ? out : new ArrayList<>(last)) {
            b.append(s).append('\n');
        }
        io.out().write(b.toString());
        return 0;
    }
}
