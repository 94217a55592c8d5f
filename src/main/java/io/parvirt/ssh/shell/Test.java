package io.parvirt.ssh.shell;

import java.util.List;

/**
 * {@code test} and {@code [}: strings, integers, {@code ! -a -o}. File tests are false for every
 * path: the shell sees no file system, which is also the honest answer to
 * {@code if test -r /some/path}.
 */
final class Test {
    private Test() {
    }

    static int evaluate(List<String> args, Io io) {
        try {
            return or(args) ? 0 : 1;
        } catch (IllegalArgumentException e) {
            io.err().write("rbash: test: " + e.getMessage() + "\n");
            return 2;
        }
    }

    private static boolean or(List<String> a) {
        int i = a.indexOf("-o");
        if (i > 0) {
            return and(a.subList(0, i)) | or(a.subList(i + 1, a.size()));
        }
        return and(a);
    }

    private static boolean and(List<String> a) {
        int i = a.indexOf("-a");
        if (i > 0 && i < a.size() - 1) {
            return primary(a.subList(0, i)) & and(a.subList(i + 1, a.size()));
        }
        return primary(a);
    }

    private static boolean primary(List<String> a) {
        if (a.isEmpty()) {
            return false;
        }
        if (a.getFirst().equals("!")) {
            return !primary(a.subList(1, a.size()));
        }
        return switch (a.size()) {
            case 1 -> !a.getFirst().isEmpty();
            case 2 -> unary(a.get(0), a.get(1));
            case 3 -> binary(a.get(0), a.get(1), a.get(2));
            default -> throw new IllegalArgumentException("too many arguments");
        };
    }

    private static boolean unary(String op, String v) {
        return switch (op) {
            case "-n" -> !v.isEmpty();
            case "-z" -> v.isEmpty();
            case "-e", "-f", "-d", "-r", "-w", "-x", "-s", "-L", "-h", "-p", "-S", "-b", "-c", "-O", "-G" -> false;
            default -> throw new IllegalArgumentException(op + ": unary operator expected");
        };
    }

    private static boolean binary(String l, String op, String r) {
        return switch (op) {
            case "=", "==" -> l.equals(r);
            case "!=" -> !l.equals(r);
            case "<" -> l.compareTo(r) < 0;
            case ">" -> l.compareTo(r) > 0;
            case "-eq" -> num(l) == num(r);
            case "-ne" -> num(l) != num(r);
            case "-lt" -> num(l) < num(r);
            case "-le" -> num(l) <= num(r);
            case "-gt" -> num(l) > num(r);
            case "-ge" -> num(l) >= num(r);
            default -> throw new IllegalArgumentException(op + ": binary operator expected");
        };
    }

    private static long num(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(s + ": integer expression expected");
        }
    }
}
