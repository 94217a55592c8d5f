package io.parvirt.ssh.shell;

/** A command's three streams. */
record Io(Input in, Sink out, Sink err) {
    Io withIn(Input i) {
        return new Io(i, out, err);
    }

    Io withOut(Sink o) {
        return new Io(in, o, err);
    }

    Io withErr(Sink e) {
        return new Io(in, out, e);
    }
}
