package io.parvirt.ssh.shell;

import java.util.List;

/** One word as typed: literal text, variables and command substitutions, each quoted or not. */
record Word(List<Part> parts) {

    sealed interface Part {
        boolean quoted();
    }

    record Literal(String text, boolean quoted) implements Part {
    }

    record Variable(String name, boolean quoted) implements Part {
    }

    record Substitution(Node list, boolean quoted) implements Part {
    }

    /** The word's text when it holds no expansion and no quotes (reserved words, assignments). */
    String plain() {
        StringBuilder b = new StringBuilder();
        for (Part p : parts) {
            if (!(p instanceof Literal l) || l.quoted()) {
                return null;
            }
            b.append(l.text());
        }
        return b.toString();
    }
}
