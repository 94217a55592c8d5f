package io.parvirt.ssh.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sed} on standard input, always as GNU {@code sed --sandbox} runs: the commands that read
 * or write files or run programs ({@code e r R w W}, the {@code s} flags {@code e} and {@code w})
 * are refused with GNU's sentence. Offered: {@code -n -e -E -r}, addresses (line, {@code $},
 * {@code /re/}, ranges, {@code !}) and the commands {@code s d p q =}.
 */
final class Sed {
    private Sed() {
    }

    private record Address(int line, boolean last, Pattern re) {
        boolean matches(int n, boolean isLast, String text) {
            return re != null ? re.matcher(text).find() : last ? isLast : n == line;
        }
    }

    private record Command(Address from, Address to, boolean negate, char op, Pattern re, String replacement,
            boolean global, int nth, boolean print) {
    }

    static int run(List<String> args, Io io) {
        boolean quiet = false;
        boolean extended = false;
        List<String> scripts = new ArrayList<>();
        List<String> files = new ArrayList<>();
        for (int k = 0; k < args.size(); k++) {
            String a = args.get(k);
            switch (a) {
                case "-n", "--quiet", "--silent" -> quiet = true;
                case "-E", "-r", "--regexp-extended" -> extended = true;
                case "--sandbox", "-u", "--posix" -> {
                }
                case "-e" -> {
                    if (k + 1 < args.size()) {
                        scripts.add(args.get(++k));
                    }
                }
                default -> {
                    if (a.startsWith("-i") || a.startsWith("--in-place") || a.startsWith("-f")) {
                        io.err().write("sed: " + a + ": not offered in the HMC shell (it reads or writes files)\n");
                        return 1;
                    } else if (a.startsWith("-") && a.length() > 1) {
                        io.err().write("sed: invalid option -- '" + a.substring(1) + "'\n");
                        return 1;
                    } else if (scripts.isEmpty()) {
                        scripts.add(a);
                    } else {
                        files.add(a);
                    }
                }
            }
        }
        if (scripts.isEmpty()) {
            io.err().write("Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n");
            return 1;
        }
        if (!files.isEmpty() && !files.equals(List.of("-"))) {
            io.err().write("sed: can't read " + files.getFirst() + ": No such file or directory\n");
            return 2;
        }
        List<Command> program;
        try {
            program = new ScriptParser(String.join("\n", scripts), extended).parse();
        } catch (IllegalArgumentException e) {
            io.err().write("sed: -e expression #1, " + e.getMessage() + "\n");
            return 1;
        }
        return execute(program, quiet, io);
    }

    private static int execute(List<Command> program, boolean quiet, Io io) {
        List<String> lines = new ArrayList<>();
        String l;
        while ((l = io.in().readLine()) != null) {
            lines.add(l);
        }
        StringBuilder out = new StringBuilder();
        boolean[] inRange = new boolean[program.size()];
        for (int n = 1; n <= lines.size(); n++) {
            String text = lines.get(n - 1);
            boolean isLast = n == lines.size();
            boolean deleted = false;
            boolean quit = false;
            for (int c = 0; c < program.size() && !deleted && !quit; c++) {
                Command cmd = program.get(c);
                if (selected(cmd, c, inRange, n, isLast, text) == cmd.negate()) {
                    continue;
                }
                switch (cmd.op()) {
                    case 'd' -> deleted = true;
                    case 'p' -> out.append(text).append('\n');
                    case '=' -> out.append(n).append('\n');
                    case 'q' -> quit = true;
                    case 's' -> {
                        String replaced = substitute(cmd, text);
                        if (replaced != null) {
                            text = replaced;
                            if (cmd.print()) {
                                out.append(text).append('\n');
                            }
                        }
                    }
                    default -> throw new IllegalStateException("sed op " + cmd.op());
                }
            }
            if (!deleted && !quiet) {
                out.append(text).append('\n');
            }
            if (quit) {
                break;
            }
        }
        io.out().write(out.toString());
        return 0;
    }

    private static boolean selected(Command cmd, int c, boolean[] inRange, int n, boolean isLast, String text) {
        if (cmd.from() == null) {
            return true;
        }
        if (cmd.to() == null) {
            return cmd.from().matches(n, isLast, text);
        }
        if (inRange[c]) {
            if (cmd.to().matches(n, isLast, text) || (cmd.to().re() == null && !cmd.to().last() && n >= cmd.to().line())) {
                inRange[c] = false;
            }
            return true;
        }
        if (cmd.from().matches(n, isLast, text)) {
            inRange[c] = !(cmd.to().re() == null && !cmd.to().last() && cmd.to().line() <= n);
            return true;
        }
        return false;
    }

    /** The line after {@code s}, or null when nothing matched. */
    private static String substitute(Command cmd, String text) {
        Matcher m = cmd.re().matcher(text);
        StringBuilder b = new StringBuilder();
        int last = 0;
        int count = 0;
        boolean any = false;
        while (m.find()) {
            count++;
            if (count >= cmd.nth() && (cmd.global() || count == cmd.nth())) {
                b.append(text, last, m.start()).append(replacement(cmd.replacement(), m));
                last = m.end();
                any = true;
                if (!cmd.global()) {
                    break;
                }
            }
            if (m.end() == m.start() && m.end() >= text.length()) {
                break;
            }
        }
        return any ? b.append(text.substring(last)).toString() : null;
    }

    private static String replacement(String r, Matcher m) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < r.length(); i++) {
            char c = r.charAt(i);
            if (c == '&') {
                b.append(m.group());
            } else if (c == '\\' && i + 1 < r.length()) {
                char n = r.charAt(++i);
                if (Character.isDigit(n) && n - '0' <= m.groupCount()) {
                    b.append(m.group(n - '0') == null ? "" : m.group(n - '0'));
                } else {
                    b.append(n == 'n' ? '\n' : n == 't' ? '\t' : n);
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Reads a sed script; its errors carry GNU's "char N: …" wording. */
    private static final class ScriptParser {
        private final String s;
        private final boolean extended;
        private int p;

        ScriptParser(String s, boolean extended) {
            this.s = s;
            this.extended = extended;
        }

        List<Command> parse() {
            List<Command> out = new ArrayList<>();
            while (true) {
                while (p < s.length() && (" \t\n;".indexOf(s.charAt(p)) >= 0)) {
                    p++;
                }
                if (p >= s.length()) {
                    return out;
                }
                Address from = address();
                Address to = null;
                if (from != null && p < s.length() && s.charAt(p) == ',') {
                    p++;
                    to = address();
                    if (to == null) {
                        throw error("unexpected `,'");
                    }
                }
                boolean negate = false;
                while (p < s.length() && (s.charAt(p) == '!' || s.charAt(p) == ' ')) {
                    negate |= s.charAt(p) == '!';
                    p++;
                }
                if (p >= s.length()) {
                    throw error("missing command");
                }
                out.add(command(from, to, negate));
            }
        }

        private Command command(Address from, Address to, boolean negate) {
            char op = s.charAt(p++);
            switch (op) {
                case 'd', 'p', 'q', '=' -> {
                    return new Command(from, to, negate, op, null, null, false, 1, false);
                }
                case 'e', 'r', 'R', 'w', 'W' -> throw error("e/r/w commands disabled in sandbox mode");
                case 's' -> {
                    return substitution(from, to, negate);
                }
                default -> throw error("unknown command: `" + op + "'");
            }
        }

        private Command substitution(Address from, Address to, boolean negate) {
            if (p >= s.length()) {
                throw error("unterminated `s' command");
            }
            char delim = s.charAt(p++);
            String re = until(delim);
            String replacement = until(delim);
            boolean global = false;
            boolean print = false;
            boolean ignoreCase = false;
            int nth = 1;
            while (p < s.length() && "; \n}".indexOf(s.charAt(p)) < 0) {
                char f = s.charAt(p++);
                switch (f) {
                    case 'g' -> global = true;
                    case 'p' -> print = true;
                    case 'i', 'I' -> ignoreCase = true;
                    case 'e', 'w' -> throw error("e/r/w commands disabled in sandbox mode");
                    default -> {
                        if (!Character.isDigit(f)) {
                            throw error("unknown option to `s'");
                        }
                        nth = f - '0';
                    }
                }
            }
            return new Command(from, to, negate, 's', Regex.compile(re, extended, ignoreCase), replacement, global,
                    nth, print);
        }

        private String until(char delim) {
            StringBuilder b = new StringBuilder();
            while (p < s.length() && s.charAt(p) != delim) {
                if (s.charAt(p) == '\\' && p + 1 < s.length()) {
                    if (s.charAt(p + 1) != delim) {
                        b.append('\\');
                    }
                    b.append(s.charAt(p + 1));
                    p += 2;
                } else {
                    b.append(s.charAt(p++));
                }
            }
            if (p >= s.length()) {
                throw error("unterminated `s' command");
            }
            p++;
            return b.toString();
        }

        private Address address() {
            if (p >= s.length()) {
                return null;
            }
            char c = s.charAt(p);
            if (c == '$') {
                p++;
                return new Address(0, true, null);
            }
            if (Character.isDigit(c)) {
                int start = p;
                while (p < s.length() && Character.isDigit(s.charAt(p))) {
                    p++;
                }
                return new Address(Integer.parseInt(s.substring(start, p)), false, null);
            }
            if (c == '/') {
                p++;
                String re = until('/');
                return new Address(0, false, Regex.compile(re, extended, false));
            }
            return null;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("char " + p + ": " + what);
        }
    }
}
