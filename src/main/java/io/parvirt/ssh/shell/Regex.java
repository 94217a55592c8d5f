package io.parvirt.ssh.shell;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** POSIX basic and extended regular expressions (as grep and sed read them) in Java's syntax. */
final class Regex {
    private Regex() {
    }

    static Pattern compile(String posix, boolean extended, boolean ignoreCase) {
        String java = translate(posix, extended);
        try {
            return Pattern.compile(java, ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("Invalid regular expression: " + posix);
        }
    }

    static String translate(String re, boolean extended) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\' && i + 1 < re.length()) {
                char n = re.charAt(++i);
                if (n == '<' || n == '>') {
                    b.append("\\b");
                } else if (!extended && "(){}|+?".indexOf(n) >= 0) {
                    b.append(n); // BRE: \( is a group
                } else {
                    b.append('\\').append(n);
                }
            } else if (c == '[') {
                i = bracket(re, i, b);
            } else if (!extended && "(){}|+?".indexOf(c) >= 0) {
                b.append('\\').append(c); // BRE: ( is literal
            } else if (c == '*' && (b.isEmpty() || b.charAt(b.length() - 1) == '^')) {
                b.append("\\*"); // a leading * is literal
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Copies a bracket expression, turning {@code [:alpha:]} classes into Java's; returns its end. */
    private static int bracket(String re, int start, StringBuilder b) {
        int i = start + 1;
        StringBuilder inner = new StringBuilder("[");
        if (i < re.length() && re.charAt(i) == '^') {
            inner.append('^');
            i++;
        }
        if (i < re.length() && re.charAt(i) == ']') {
            inner.append("\\]");
            i++;
        }
        for (; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == ']') {
                b.append(inner).append(']');
                return i;
            }
            if (c == '[' && re.startsWith("[:", i)) {
                int end = re.indexOf(":]", i);
                if (end > 0) {
                    inner.append("\\p{").append(posixClass(re.substring(i + 2, end))).append('}');
                    i = end + 1;
                    continue;
                }
            }
            if (c == '[' || c == '\\' || c == '&' || c == '~') {
                inner.append('\\');
            }
            inner.append(c);
        }
        b.append("\\[").append(Pattern.quote(re.substring(start + 1)));
        return re.length() - 1;
    }

    private static String posixClass(String name) {
        return switch (name) {
            case "alpha" -> "Alpha";
            case "digit" -> "Digit";
            case "alnum" -> "Alnum";
            case "upper" -> "Upper";
            case "lower" -> "Lower";
            case "space" -> "Space";
            case "blank" -> "Blank";
            case "punct" -> "Punct";
            case "xdigit" -> "XDigit";
            case "print" -> "Print";
            case "graph" -> "Graph";
            case "cntrl" -> "Cntrl";
            default -> throw new IllegalArgumentException("Invalid character class name");
        };
    }
}
