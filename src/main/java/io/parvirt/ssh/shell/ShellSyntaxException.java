package io.parvirt.ssh.shell;

/** A command string the shell cannot parse: bash's "syntax error" line, exit status 2. */
final class ShellSyntaxException extends Exception {
    ShellSyntaxException(String message) {
        super(message);
    }
}
