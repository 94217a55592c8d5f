package io.parvirt.ssh.shell;

import io.parvirt.ssh.shell.Node.AndOr;
import io.parvirt.ssh.shell.Node.Assignment;
import io.parvirt.ssh.shell.Node.Redirect;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The HMC's restricted shell, interpreted in the daemon: the command string of an SSH exec
 * channel, or each line of an interactive session, runs here. The only programs are the HMC
 * commands ({@link Commands}) and the tools HMC users rely on, implemented in Java
 * ({@link Tools}); none of them opens a file, so nothing typed can reach the host's files
 * (see the package documentation for why this and not {@code bash -r}).
 *
 * <p>Restricted as {@code rbash} is: no {@code cd}, no {@code /} in command names, {@code PATH},
 * {@code SHELL}, {@code ENV} and {@code BASH_ENV} read-only, no {@code exec}, no output redirection
 * to files. A refusal prints bash's line on standard error, sets a non-zero status and the session
 * goes on.
 */
public final class RestrictedShell {
    /** The HMC commands this shell offers, run as the session's user. */
    public interface Commands {
        boolean offers(String name);

        /** Runs one HMC command line; its output (errors included, as on the HMC) and exit code. */
        Result run(List<String> argv);

        record Result(String stdout, int exitCode) {
        }
    }

    static final Set<String> READ_ONLY = Set.of("PATH", "SHELL", "ENV", "BASH_ENV", "HISTFILE");
    /** Commands per command string: ends an endless loop without ending the session. */
    static final int MAX_STEPS = 1_000_000;
    private final Commands hmc;
    private final Map<String, String> vars;
    private int status;
    private int steps;

    public RestrictedShell(Commands hmc, Map<String, String> environment) {
        this.hmc = hmc;
        this.vars = new HashMap<>(environment);
    }

    /** The exit status of the last command string. */
    public int status() {
        return status;
    }

    /**
     * Runs one command string; its exit status ({@code exit N} ends it early with N).
     * {@code terminal}: the output goes to a terminal, so newlines become CR LF.
     */
    public int run(String commandLine, InputStream in, OutputStream out, OutputStream err, boolean terminal) {
        Io io = new Io(Input.of(in), Sink.of(out, terminal), Sink.of(err, terminal));
        return run(commandLine, io);
    }

    int run(String commandLine, Io io) {
        steps = 0;
        try {
            Node n = Parser.parse(commandLine);
            status = exec(n, io);
        } catch (ShellSyntaxException e) {
            io.err().write("rbash: -c: line 1: " + e.getMessage() + "\n");
            status = 2;
        } catch (ExitSignal e) {
            status = e.status;
            throw e;
        } catch (ShellLimitException e) {
            io.err().write("rbash: " + e.getMessage() + ": the command was ended\n");
            status = 1;
        } catch (LoopSignal e) {
            status = 0;
        }
        return status;
    }

    /** {@code exit}: ends the command string (and an interactive session). */
    public static final class ExitSignal extends RuntimeException {
        final int status;

        ExitSignal(int status) {
            super(null, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** {@code break} and {@code continue}. */
    static final class LoopSignal extends RuntimeException {
        final boolean isBreak;

        LoopSignal(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    int exec(Node node, Io io) {
        if (++steps > MAX_STEPS) {
            throw new ShellLimitException("more than " + MAX_STEPS + " commands");
        }
        return switch (node) {
            case Node.Sequence seq -> {
                int st = status;
                for (Node n : seq.items()) {
                    st = exec(n, io);
                    status = st;
                }
                yield st;
            }
            case AndOr a -> andOr(a, io);
            case Node.Pipeline p -> pipeline(p, io);
            case Node.Simple s -> simple(s, io);
            case Node.While w -> loop(w, io);
            case Node.If i -> {
                for (int k = 0; k < i.conditions().size(); k++) {
                    if (exec(i.conditions().get(k), io) == 0) {
                        yield exec(i.bodies().get(k), io);
                    }
                }
                yield i.otherwise() == null ? 0 : exec(i.otherwise(), io);
            }
            case Node.For f -> forLoop(f, io);
            case Node.Group g -> group(g, io);
        };
    }

    private int andOr(AndOr a, Io io) {
        int st = exec(a.items().getFirst(), io);
        for (int k = 1; k < a.items().size(); k++) {
            status = st;
            boolean and = a.ops().get(k - 1).equals("&&");
            if ((st == 0) == and) {
                st = exec(a.items().get(k), io);
            }
        }
        return st;
    }

    /**
     * Stages run one after another, each reading what the previous one printed: every program here
     * ends on finite input, so this gives bash's result without threads. Each stage but a lone one
     * has its own copy of the variables, as each runs in a subshell in bash.
     */
    private int pipeline(Node.Pipeline p, Io io) {
        Input in = io.in();
        int st = 0;
        Map<String, String> saved = new HashMap<>(vars);
        for (int k = 0; k < p.commands().size(); k++) {
            boolean last = k == p.commands().size() - 1;
            Sink.Buffer buf = last ? null : new Sink.Buffer();
            st = exec(p.commands().get(k), new Io(in, last ? io.out() : buf, io.err()));
            if (p.commands().size() > 1) {
                vars.clear();
                vars.putAll(saved);
            }
            if (!last) {
                in = Input.of(buf.toString());
            }
        }
        return p.negated() ? (st == 0 ? 1 : 0) : st;
    }

    private int loop(Node.While w, Io io) {
        Io inner = redirected(w.redirects(), io);
        if (inner == null) {
            return 1;
        }
        int st = 0;
        while (true) {
            int c = exec(w.condition(), inner);
            if ((c == 0) == w.until()) {
                return st;
            }
            try {
                st = exec(w.body(), inner);
            } catch (LoopSignal s) {
                if (s.isBreak) {
                    return 0;
                }
            }
        }
    }

    private int forLoop(Node.For f, Io io) {
        List<String> items = new ArrayList<>();
        for (Word w : f.words()) {
            items.addAll(expand(w, io));
        }
        int st = 0;
        for (String item : items) {
            vars.put(f.name(), item);
            try {
                st = exec(f.body(), io);
            } catch (LoopSignal s) {
                if (s.isBreak) {
                    return 0;
                }
            }
        }
        return st;
    }

    private int group(Node.Group g, Io io) {
        Io inner = redirected(g.redirects(), io);
        if (inner == null) {
            return 1;
        }
        if (!g.subshell()) {
            return exec(g.body(), inner);
        }
        Map<String, String> saved = new HashMap<>(vars);
        try {
            return exec(g.body(), inner);
        } catch (ExitSignal e) {
            return e.status; // exit leaves the subshell only
        } finally {
            vars.clear();
            vars.putAll(saved);
        }
    }

    private int simple(Node.Simple s, Io io) {
        List<String> argv = new ArrayList<>();
        for (Word w : s.words()) {
            argv.addAll(expand(w, io));
        }
        Map<String, String> values = new HashMap<>();
        for (Assignment a : s.assignments()) {
            if (READ_ONLY.contains(a.name())) {
                io.err().write("rbash: " + a.name() + ": readonly variable\n");
                return 1;
            }
            values.put(a.name(), String.join("", expandQuoted(a.value(), io)));
        }
        Io cmdIo = redirected(s.redirects(), io);
        if (cmdIo == null) {
            return 1;
        }
        if (argv.isEmpty()) {
            vars.putAll(values); // NAME=value alone sets a shell variable
            return 0;
        }
        // A NAME=value before a command (LANG=C, LC_ALL=…) only changes that command's environment:
        // every program here prints English and C-locale order, so it changes nothing.
        return command(argv, cmdIo);
    }

    private int command(List<String> argv, Io io) {
        String name = argv.getFirst();
        List<String> args = argv.subList(1, argv.size());
        if (name.contains("/")) {
            io.err().write("rbash: " + name + ": restricted: cannot specify `/' in command names\n");
            return 126;
        }
        Builtins b = new Builtins(this, io);
        if (Builtins.NAMES.contains(name)) {
            return b.run(name, args);
        }
        if (Tools.NAMES.contains(name)) {
            return Tools.run(name, args, io);
        }
        if (hmc.offers(name)) {
            Commands.Result r = hmc.run(argv);
            io.out().write(r.stdout());
            return r.exitCode();
        }
        io.err().write("rbash: " + name + ": command not found\n");
        return 127;
    }

    /** The streams after a command's redirections, or null (the refusal printed) when one is not allowed. */
    private Io redirected(List<Redirect> redirects, Io io) {
        Io out = io;
        for (Redirect r : redirects) {
            switch (r.op()) {
                case "<(" -> {
                    Sink.Buffer buf = new Sink.Buffer();
                    Map<String, String> saved = new HashMap<>(vars);
                    exec(r.process(), new Io(Input.EMPTY, buf, io.err()));
                    vars.clear();
                    vars.putAll(saved);
                    out = out.withIn(Input.of(buf.toString()));
                }
                case "<" -> {
                    // The shell sees no file system: nothing typed here may read a host file.
                    io.err().write("rbash: " + String.join("", expandQuoted(r.target(), io))
                            + ": No such file or directory\n");
                    return null;
                }
                case ">&" -> {
                    String target = String.join("", expandQuoted(r.target(), io));
                    if (target.equals("1") || target.equals("2")) {
                        Sink to = target.equals("1") ? out.out() : out.err();
                        out = r.fd() == 2 ? out.withErr(to) : out.withOut(to);
                    } else {
                        return restricted(target, io);
                    }
                }
                default -> {
                    return restricted(String.join("", expandQuoted(r.target(), io)), io);
                }
            }
        }
        return out;
    }

    private static Io restricted(String target, Io io) {
        io.err().write("rbash: " + target + ": restricted: cannot redirect output\n");
        return null;
    }

    /** A word's fields: unquoted expansions are split at blanks; quoted text is kept whole. */
    List<String> expand(Word w, Io io) {
        List<String> fields = new ArrayList<>();
        StringBuilder cur = null;
        for (Word.Part part : w.parts()) {
            String text = value(part, io);
            boolean split = !part.quoted() && !(part instanceof Word.Literal);
            if (!split) {
                cur = cur == null ? new StringBuilder() : cur;
                cur.append(text);
                continue;
            }
            String[] pieces = text.split("[ \t\n]+", -1);
            for (int k = 0; k < pieces.length; k++) {
                if (k > 0 && cur != null) {
                    fields.add(cur.toString());
                    cur = null;
                }
                if (!pieces[k].isEmpty()) {
                    cur = cur == null ? new StringBuilder() : cur;
                    cur.append(pieces[k]);
                }
            }
        }
        if (cur != null) {
            fields.add(cur.toString());
        }
        return fields;
    }

    /** A word as one string (assignments, redirection targets: no splitting). */
    List<String> expandQuoted(Word w, Io io) {
        StringBuilder b = new StringBuilder();
        for (Word.Part part : w.parts()) {
            b.append(value(part, io));
        }
        return List.of(b.toString());
    }

    private String value(Word.Part part, Io io) {
        return switch (part) {
            case Word.Literal l -> l.text();
            case Word.Variable v -> variable(v.name());
            case Word.Substitution sub -> {
                Sink.Buffer buf = new Sink.Buffer();
                Map<String, String> saved = new HashMap<>(vars);
                int st;
                try {
                    st = exec(sub.list(), new Io(Input.EMPTY, buf, io.err()));
                } catch (ExitSignal e) {
                    st = e.status;
                }
                vars.clear();
                vars.putAll(saved);
                status = st;
                yield buf.toString().replaceAll("\n+$", "");
            }
        };
    }

    private String variable(String name) {
        return switch (name) {
            case "?" -> Integer.toString(status);
            case "#" -> "0";
            case "$" -> Long.toString(ProcessHandle.current().pid());
            case "0" -> "rbash";
            default -> vars.getOrDefault(name, "");
        };
    }

    Map<String, String> vars() {
        return vars;
    }

    void status(int st) {
        status = st;
    }

    int lastStatus() {
        return status;
    }
}
