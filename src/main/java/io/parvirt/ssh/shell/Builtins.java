package io.parvirt.ssh.shell;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The shell's own commands; those rbash restricts print its refusal. */
final class Builtins {
    static final Set<String> NAMES = Set.of("echo", "printf", "read", "test", "[", "true", "false", ":", "exit",
            "cd", "exec", "export", "readonly", "unset", "break", "continue", "eval", "source", ".", "set",
            "enable", "command", "builtin", "hash", "history", "logout");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private final RestrictedShell shell;
    private final Io io;

    Builtins(RestrictedShell shell, Io io) {
        this.shell = shell;
        this.io = io;
    }

    int run(String name, List<String> args) {
        return switch (name) {
            case "echo" -> {
                io.out().write(Tools.echo(args));
                yield 0;
            }
            case "printf" -> printf(args);
            case "read" -> read(args);
            case "test" -> Test.evaluate(args, io);
            case "[" -> {
                if (args.isEmpty() || !args.getLast().equals("]")) {
                    io.err().write("rbash: [: missing `]'\n");
                    yield 2;
                }
                yield Test.evaluate(args.subList(0, args.size() - 1), io);
            }
            case "true", ":" -> 0;
            case "false" -> 1;
            case "exit", "logout" -> throw new RestrictedShell.ExitSignal(args.isEmpty() ? shell.lastStatus()
                    : parseStatus(args.getFirst()));
            case "break", "continue" -> throw new RestrictedShell.LoopSignal(name.equals("break"));
            case "export", "readonly" -> assign(name, args);
            case "unset" -> {
                for (String a : args) {
                    if (RestrictedShell.READ_ONLY.contains(a)) {
                        yield refuse("unset: " + a + ": cannot unset: readonly variable");
                    }
                    shell.vars().remove(a);
                }
                yield 0;
            }
            case "eval" -> shell.exec(parseOrFail(String.join(" ", args)), io);
            case "set" -> args.isEmpty() ? 0 : refuse("set: changing shell options is restricted");
            case "history" -> 0;
            // cd, exec, source and the builtins that reach other programs are what rbash denies.
            default -> refuse(name + ": restricted");
        };
    }

    private Node parseOrFail(String text) {
        try {
            return Parser.parse(text);
        } catch (ShellSyntaxException e) {
            io.err().write("rbash: eval: " + e.getMessage() + "\n");
            return new Node.Sequence(List.of());
        }
    }

    private int refuse(String message) {
        io.err().write("rbash: " + message + "\n");
        return 1;
    }

    private static int parseStatus(String s) {
        try {
            return Integer.parseInt(s) & 0xFF;
        } catch (NumberFormatException e) {
            return 2;
        }
    }

    private int assign(String name, List<String> args) {
        for (String a : args) {
            if (a.startsWith("-")) {
                continue;
            }
            int eq = a.indexOf('=');
            String var = eq < 0 ? a : a.substring(0, eq);
            if (!NAME.matcher(var).matches()) {
                return refuse(name + ": `" + a + "': not a valid identifier");
            }
            if (RestrictedShell.READ_ONLY.contains(var)) {
                return refuse(var + ": readonly variable");
            }
            if (eq >= 0) {
                shell.vars().put(var, a.substring(eq + 1));
            }
        }
        return 0;
    }

    /** {@code read [-r] [NAME...]}: one line, split at blanks, the last name taking the rest. */
    private int read(List<String> args) {
        boolean raw = false;
        int k = 0;
        while (k < args.size() && args.get(k).startsWith("-")) {
            if (!args.get(k).equals("-r")) {
                return refuse("read: " + args.get(k) + ": invalid option");
            }
            raw = true;
            k++;
        }
        List<String> names = args.subList(k, args.size());
        String line = io.in().readLine();
        if (line == null) {
            for (String n : names) {
                shell.vars().put(n, "");
            }
            return 1;
        }
        if (!raw) {
            line = line.replaceAll("\\\\(.)", "$1");
        }
        if (names.isEmpty()) {
            shell.vars().put("REPLY", line);
            return 0;
        }
        String rest = line.strip();
        for (int i = 0; i < names.size(); i++) {
            if (RestrictedShell.READ_ONLY.contains(names.get(i))) {
                return refuse(names.get(i) + ": readonly variable");
            }
            if (i == names.size() - 1) {
                shell.vars().put(names.get(i), rest);
            } else {
                String[] two = rest.split("[ \t]+", 2);
                shell.vars().put(names.get(i), two[0]);
                rest = two.length > 1 ? two[1] : "";
            }
        }
        return 0;
    }

    /** {@code printf FORMAT [ARG...]}: {@code %s %d %i %%} and backslash escapes, the format reused while arguments remain. */
    private int printf(List<String> args) {
        if (args.isEmpty()) {
            return refuse("printf: usage: printf format [arguments]");
        }
        String format = args.getFirst();
        List<String> rest = args.subList(1, args.size());
        int used = 0;
        StringBuilder out = new StringBuilder();
        do {
            for (int i = 0; i < format.length(); i++) {
                char c = format.charAt(i);
                if (c == '%' && i + 1 < format.length()) {
                    char f = format.charAt(++i);
                    if (f == '%') {
                        out.append('%');
                    } else {
                        String a = used < rest.size() ? rest.get(used++) : "";
                        out.append((f == 'd' || f == 'i') && a.isEmpty() ? "0" : a);
                    }
                } else if (c == '\\' && i + 1 < format.length()) {
                    out.append(Tools.escape(format.charAt(++i)));
                } else {
                    out.append(c);
                }
            }
        } while (used > 0 && used < rest.size());
        io.out().write(out.toString());
        return 0;
    }
}
