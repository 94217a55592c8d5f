package io.parvirt.ssh.shell;

import java.util.List;

/** The parsed command string: the subset of bash that HMC clients send (see {@link Parser}). */
sealed interface Node {

    /** {@code a ; b}, newline-separated lists. */
    record Sequence(List<Node> items) implements Node {
    }

    /** {@code a && b || c}: {@code ops.get(i)} joins {@code items.get(i)} and {@code items.get(i + 1)}. */
    record AndOr(List<Node> items, List<String> ops) implements Node {
    }

    /** {@code a | b | c}, or {@code ! a}. */
    record Pipeline(List<Node> commands, boolean negated) implements Node {
    }

    /** {@code NAME=v ... word ... [redirections]}. */
    record Simple(List<Assignment> assignments, List<Word> words, List<Redirect> redirects) implements Node {
    }

    /** {@code while COND; do BODY; done [redirections]}; {@code until} when {@code until}. */
    record While(Node condition, Node body, boolean until, List<Redirect> redirects) implements Node {
    }

    /** {@code if C; then B; [elif C; then B;]... [else E;] fi}. */
    record If(List<Node> conditions, List<Node> bodies, Node otherwise) implements Node {
    }

    /** {@code for NAME in WORDS; do BODY; done}. */
    record For(String name, List<Word> words, Node body) implements Node {
    }

    /** {@code { LIST; }} or {@code ( LIST )} (the latter with its own variables). */
    record Group(Node body, boolean subshell, List<Redirect> redirects) implements Node {
    }

    record Assignment(String name, Word value) {
    }

    /**
     * One redirection: {@code op} is {@code <}, {@code >}, {@code >>}, {@code >&}, {@code &>},
     * {@code <>} or {@code <(} (process substitution into standard input); {@code fd} the
     * descriptor it applies to; {@code target} a word, or for {@code <(} the list it runs.
     */
    record Redirect(int fd, String op, Word target, Node process) {
    }
}
