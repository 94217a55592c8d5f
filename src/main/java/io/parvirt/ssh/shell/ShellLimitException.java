package io.parvirt.ssh.shell;

/** A command string went past one of the shell's limits (output, commands run): it ends, the session stays. */
final class ShellLimitException extends RuntimeException {
    ShellLimitException(String message) {
        super(message, null, false, false);
    }
}
