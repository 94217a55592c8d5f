package io.parvirt.ssh.shell;

/** The console's host name, as {@code uname -n} and the prompt show it. */
public final class HostName {
    private HostName() {
    }

    public static String get() {
        return HostTools.hostname();
    }
}
