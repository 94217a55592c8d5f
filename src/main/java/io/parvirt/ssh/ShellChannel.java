package io.parvirt.ssh;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcResult;
import io.parvirt.ssh.shell.RestrictedShell;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSH session channel's shell: the exec request's command string ({@code commandLine}), or an
 * interactive session (null) that prompts, edits lines and runs each until {@code exit}. It runs
 * on a virtual thread of its own; HMC commands run in this JVM as the logged-in user, so a
 * command costs no process.
 */
final class ShellChannel implements Command {
    private static final Logger LOG = LoggerFactory.getLogger(ShellChannel.class);
    private final Hmc hmc;
    private final String commandLine;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private Thread thread;

    ShellChannel(Hmc hmc, String commandLine) {
        this.hmc = hmc;
        this.commandLine = commandLine;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        String user = channel.getSession().getUsername();
        boolean terminal = env.getEnv().containsKey(Environment.ENV_TERM);
        if (terminal) {
            err = out; // a terminal has one stream, as sshd's pty merges them
        }
        thread = Thread.ofVirtual().name("ssh-" + user).start(() -> {
            int status = 255;
            try {
                status = commandLine != null ? exec(user, terminal) : interactive(user, terminal);
            } catch (RuntimeException e) {
                LOG.warn("SSH shell of {} ended: {}", user, e.toString());
            } finally {
                flush();
                exit.onExit(status);
            }
        });
    }

    private int exec(String user, boolean terminal) {
        RestrictedShell shell = new RestrictedShell(commands(user, terminal), environment(user));
        try {
            return shell.run(commandLine, in, out, err, terminal);
        } catch (RestrictedShell.ExitSignal e) {
            return e.status();
        }
    }

    private int interactive(String user, boolean terminal) throws RestrictedShell.ExitSignal {
        RestrictedShell shell = new RestrictedShell(commands(user, terminal), environment(user));
        LineEditor editor = new LineEditor(in, out, terminal);
        String prompt = terminal ? user + "@" + shortHost() + ":~> " : "";
        while (true) {
            String line = editor.readLine(prompt);
            if (line == null) {
                return shell.status();
            }
            try {
                shell.run(line, InputStream.nullInputStream(), out, err, terminal);
            } catch (RestrictedShell.ExitSignal e) {
                return e.status();
            }
        }
    }

    private RestrictedShell.Commands commands(String user, boolean terminal) {
        return new RestrictedShell.Commands() {
            @Override
            public boolean offers(String name) {
                return Hmc.commands().contains(name);
            }

            @Override
            public Result run(List<String> argv) {
                HmcResult r = hmc.run(new HmcInvocation(argv, Map.of(), user, "ssh"));
                if (r.vterm() != null) {
                    return console(Path.of(r.vterm()), argv, terminal);
                }
                return new Result(r.stdout(), r.exitCode());
            }
        };
    }

    /** {@code mkvterm}: the partition's console in this terminal until {@code ~.}, then the shell again. */
    private RestrictedShell.Commands.Result console(Path socket, List<String> argv, boolean terminal) {
        if (!terminal) {
            // The session was opened for us; closing it at once frees the console for others.
            VtermBridge.close(socket);
            return new RestrictedShell.Commands.Result("mkvterm needs a terminal: connect with ssh -t.\n", 1);
        }
        return VtermBridge.attach(socket, in, out);
    }

    private static Map<String, String> environment(String user) {
        return Map.of("PATH", "/hmcrbin:/usr/hmcrbin", "SHELL", "/bin/rbash", "HOME", "/home/" + user, "USER", user,
                "LOGNAME", user, "HOSTNAME", shortHost(), "LANG", "en_US.UTF-8");
    }

    private static String shortHost() {
        String h = io.parvirt.ssh.shell.HostName.get();
        int dot = h.indexOf('.');
        return dot < 0 ? h : h.substring(0, dot);
    }

    private void flush() {
        try {
            out.flush();
            err.flush();
        } catch (IOException e) {
            // the client has gone
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
