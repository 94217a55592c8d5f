package io.parvirt.ssh.shell;

import io.parvirt.ssh.shell.Node.AndOr;
import io.parvirt.ssh.shell.Node.Assignment;
import io.parvirt.ssh.shell.Node.Redirect;
import io.parvirt.ssh.shell.Word.Literal;
import io.parvirt.ssh.shell.Word.Part;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Recursive descent over the characters of one command string: lists ({@code ; && || newline}),
 * pipelines, {@code while/until}, {@code if/elif/else}, {@code for}, {@code { }} and {@code ( )},
 * simple commands with assignments, quoting ({@code '…'}, {@code "…"}, {@code \}), {@code $NAME},
 * {@code ${NAME}}, {@code $?}, {@code $(…)} and backquotes, and redirections including
 * {@code < <(…)}. Word splitting and expansion happen later, when a command runs. Anything else
 * (arithmetic, here-documents, functions, globbing) is a syntax error or literal text.
 */
final class Parser {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String WORD_END = " \t\n;&|<>()";
    private final String s;
    private int p;

    private Parser(String s, int p) {
        this.s = s;
        this.p = p;
    }

    static Node parse(String text) throws ShellSyntaxException {
        Parser parser = new Parser(text, 0);
        Node n = parser.list(Set.of(), false);
        parser.blanks();
        if (parser.p < text.length()) {
            throw parser.unexpected();
        }
        return n;
    }

    private Node list(Set<String> stops, boolean stopAtParen) throws ShellSyntaxException {
        List<Node> items = new ArrayList<>();
        while (true) {
            blanksAndNewlines();
            String r = reserved();
            if (p >= s.length() || (stopAtParen && s.charAt(p) == ')') || r != null && stops.contains(r)) {
                break;
            }
            items.add(andOr());
            blanks();
            if (p < s.length() && (at(";") && !at(";;") || at("\n") || at("&") && !at("&&"))) {
                p++;
                continue;
            }
            break;
        }
        return new Node.Sequence(items);
    }

    private Node andOr() throws ShellSyntaxException {
        List<Node> items = new ArrayList<>(List.of(pipeline()));
        List<String> ops = new ArrayList<>();
        while (true) {
            blanks();
            if (at("&&") || at("||")) {
                ops.add(s.substring(p, p + 2));
                p += 2;
                blanksAndNewlines();
                items.add(pipeline());
            } else {
                return items.size() == 1 ? items.getFirst() : new AndOr(items, ops);
            }
        }
    }

    private Node pipeline() throws ShellSyntaxException {
        blanks();
        boolean negated = false;
        if ("!".equals(reserved())) {
            p++;
            negated = true;
        }
        List<Node> commands = new ArrayList<>(List.of(command()));
        while (true) {
            blanks();
            if (at("|") && !at("||")) {
                p++;
                blanksAndNewlines();
                commands.add(command());
            } else {
                return commands.size() == 1 && !negated ? commands.getFirst() : new Node.Pipeline(commands, negated);
            }
        }
    }

    private Node command() throws ShellSyntaxException {
        blanks();
        String r = reserved();
        if (r == null && at("(")) {
            p++;
            Node body = list(Set.of(), true);
            expect(")");
            return new Node.Group(body, true, redirects());
        }
        if (r == null) {
            return simple();
        }
        switch (r) {
            case "while", "until" -> {
                p += r.length();
                Node cond = list(Set.of("do"), false);
                keyword("do");
                Node body = list(Set.of("done"), false);
                keyword("done");
                return new Node.While(cond, body, r.equals("until"), redirects());
            }
            case "if" -> {
                return ifClause();
            }
            case "for" -> {
                return forClause();
            }
            case "{" -> {
                p++;
                Node body = list(Set.of("}"), false);
                keyword("}");
                return new Node.Group(body, false, redirects());
            }
            case "do", "done", "then", "else", "elif", "fi", "}", "in" -> throw new ShellSyntaxException(
                    "syntax error near unexpected token `" + r + "'");
            default -> {
                return simple();
            }
        }
    }

    private Node ifClause() throws ShellSyntaxException {
        List<Node> conds = new ArrayList<>();
        List<Node> bodies = new ArrayList<>();
        String word = "if";
        Node otherwise = null;
        while (word.equals("if") || word.equals("elif")) {
            keyword(word);
            conds.add(list(Set.of("then"), false));
            keyword("then");
            bodies.add(list(Set.of("elif", "else", "fi"), false));
            word = reserved();
            if (word == null) {
                throw unexpected();
            }
        }
        if (word.equals("else")) {
            keyword("else");
            otherwise = list(Set.of("fi"), false);
        }
        keyword("fi");
        return new Node.If(conds, bodies, otherwise);
    }

    private Node forClause() throws ShellSyntaxException {
        keyword("for");
        blanks();
        Word name = word();
        if (name == null || name.plain() == null || !NAME.matcher(name.plain()).matches()) {
            throw unexpected();
        }
        List<Word> words = new ArrayList<>();
        blanks();
        if ("in".equals(reserved())) {
            keyword("in");
            while (true) {
                blanks();
                if (p >= s.length() || at(";") || at("\n")) {
                    break;
                }
                Word w = word();
                if (w == null) {
                    throw unexpected();
                }
                words.add(w);
            }
        }
        blanks();
        if (at(";") || at("\n")) {
            p++;
        }
        blanksAndNewlines();
        keyword("do");
        Node body = list(Set.of("done"), false);
        keyword("done");
        return new Node.For(name.plain(), words, body);
    }

    private Node simple() throws ShellSyntaxException {
        List<Assignment> assignments = new ArrayList<>();
        List<Word> words = new ArrayList<>();
        List<Redirect> redirects = new ArrayList<>();
        while (true) {
            blanks();
            if (p >= s.length() || "\n;&|)".indexOf(s.charAt(p)) >= 0 && !isRedirect()) {
                break;
            }
            if (isRedirect()) {
                redirects.add(redirect());
                continue;
            }
            if (at("(")) {
                throw unexpected();
            }
            Word w = word();
            Assignment a = words.isEmpty() ? assignment(w) : null;
            if (a != null) {
                assignments.add(a);
            } else {
                words.add(w);
            }
        }
        if (assignments.isEmpty() && words.isEmpty() && redirects.isEmpty()) {
            throw unexpected();
        }
        return new Node.Simple(assignments, words, redirects);
    }

    private static Assignment assignment(Word w) {
        if (w.parts().isEmpty() || !(w.parts().getFirst() instanceof Literal first) || first.quoted()) {
            return null;
        }
        int eq = first.text().indexOf('=');
        if (eq <= 0 || !NAME.matcher(first.text().substring(0, eq)).matches()) {
            return null;
        }
        List<Part> value = new ArrayList<>();
        value.add(new Literal(first.text().substring(eq + 1), false));
        value.addAll(w.parts().subList(1, w.parts().size()));
        return new Assignment(first.text().substring(0, eq), new Word(value));
    }

    private boolean isRedirect() {
        int q = p;
        while (q < s.length() && Character.isDigit(s.charAt(q))) {
            q++;
        }
        return q < s.length() && (s.charAt(q) == '<' || s.charAt(q) == '>' || s.startsWith("&>", q));
    }

    private List<Redirect> redirects() throws ShellSyntaxException {
        List<Redirect> out = new ArrayList<>();
        while (true) {
            blanks();
            if (p < s.length() && isRedirect()) {
                out.add(redirect());
            } else {
                return out;
            }
        }
    }

    private Redirect redirect() throws ShellSyntaxException {
        int start = p;
        while (Character.isDigit(s.charAt(p))) {
            p++;
        }
        int fd = p > start ? Integer.parseInt(s.substring(start, p)) : -1;
        String op;
        if (at("<<")) {
            throw new ShellSyntaxException("here-documents are not offered in the HMC shell");
        } else if (at("&>>") || at("&>")) {
            op = "&>";
            p += at("&>>") ? 3 : 2;
        } else if (at(">>") || at(">&") || at("<>") || at(">|")) {
            op = s.substring(p, p + 2).equals(">|") ? ">" : s.substring(p, p + 2);
            p += 2;
        } else {
            op = s.substring(p, p + 1);
            p++;
        }
        blanks();
        if (op.equals("<") && at("<(")) {
            p += 2;
            Node list = list(Set.of(), true);
            expect(")");
            return new Redirect(fd < 0 ? 0 : fd, "<(", null, list);
        }
        Word target = word();
        if (target == null) {
            throw unexpected();
        }
        return new Redirect(fd < 0 ? (op.startsWith("<") ? 0 : 1) : fd, op, target, null);
    }

    /** A word up to the next unquoted blank or operator; null if none starts here. */
    private Word word() throws ShellSyntaxException {
        List<Part> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int start = p;
        while (p < s.length() && WORD_END.indexOf(s.charAt(p)) < 0) {
            char c = s.charAt(p);
            if (c == '\'') {
                flush(parts, lit);
                int end = s.indexOf('\'', p + 1);
                if (end < 0) {
                    throw new ShellSyntaxException("unexpected EOF while looking for matching `''");
                }
                parts.add(new Literal(s.substring(p + 1, end), true));
                p = end + 1;
            } else if (c == '"') {
                flush(parts, lit);
                p++;
                doubleQuoted(parts);
            } else if (c == '\\') {
                flush(parts, lit);
                if (p + 1 < s.length() && s.charAt(p + 1) != '\n') {
                    parts.add(new Literal(s.substring(p + 1, p + 2), true));
                }
                p += 2;
            } else if (c == '$' || c == '`') {
                Part x = dollar(false);
                if (x != null) {
                    flush(parts, lit);
                    parts.add(x);
                } else {
                    lit.append(c);
                    p++;
                }
            } else {
                lit.append(c);
                p++;
            }
        }
        flush(parts, lit);
        return p == start ? null : new Word(parts);
    }

    private void doubleQuoted(List<Part> parts) throws ShellSyntaxException {
        StringBuilder lit = new StringBuilder();
        parts.add(new Literal("", true)); // "" is a word of its own even when empty
        while (true) {
            if (p >= s.length()) {
                throw new ShellSyntaxException("unexpected EOF while looking for matching `\"'");
            }
            char c = s.charAt(p);
            if (c == '"') {
                p++;
                break;
            }
            if (c == '\\' && p + 1 < s.length() && "$`\"\\\n".indexOf(s.charAt(p + 1)) >= 0) {
                if (s.charAt(p + 1) != '\n') {
                    lit.append(s.charAt(p + 1));
                }
                p += 2;
            } else if (c == '$' || c == '`') {
                Part x = dollar(true);
                if (x == null) {
                    lit.append(c);
                    p++;
                } else {
                    quotedFlush(parts, lit);
                    parts.add(x);
                }
            } else {
                lit.append(c);
                p++;
            }
        }
        quotedFlush(parts, lit);
    }

    /** {@code $NAME}, {@code ${NAME}}, {@code $?}, {@code $(…)}, {@code `…`}; null for a plain {@code $}. */
    private Part dollar(boolean quoted) throws ShellSyntaxException {
        if (s.charAt(p) == '`') {
            int end = s.indexOf('`', p + 1);
            if (end < 0) {
                throw new ShellSyntaxException("unexpected EOF while looking for matching ``'");
            }
            Node inner = parse(s.substring(p + 1, end));
            p = end + 1;
            return new Word.Substitution(inner, quoted);
        }
        if (p + 1 >= s.length()) {
            return null;
        }
        char n = s.charAt(p + 1);
        if (n == '(') {
            if (s.startsWith("$((", p)) {
                throw new ShellSyntaxException("arithmetic expansion is not offered in the HMC shell");
            }
            p += 2;
            Node inner = list(Set.of(), true);
            expect(")");
            return new Word.Substitution(inner, quoted);
        }
        if (n == '{') {
            int end = s.indexOf('}', p);
            if (end < 0 || !NAME.matcher(s.substring(p + 2, end)).matches()) {
                throw new ShellSyntaxException("bad substitution");
            }
            String name = s.substring(p + 2, end);
            p = end + 1;
            return new Word.Variable(name, quoted);
        }
        if ("?#$0123456789".indexOf(n) >= 0) {
            p += 2;
            return new Word.Variable(String.valueOf(n), quoted);
        }
        var m = NAME.matcher(s).region(p + 1, s.length());
        if (m.lookingAt()) {
            p = m.end();
            return new Word.Variable(m.group(), quoted);
        }
        return null;
    }

    private static void flush(List<Part> parts, StringBuilder lit) {
        if (!lit.isEmpty()) {
            parts.add(new Literal(lit.toString(), false));
            lit.setLength(0);
        }
    }

    private static void quotedFlush(List<Part> parts, StringBuilder lit) {
        if (!lit.isEmpty()) {
            parts.add(new Literal(lit.toString(), true));
            lit.setLength(0);
        }
    }

    /** The reserved word at the command position here, if any (not consumed). */
    private String reserved() {
        blanks();
        int q = p;
        while (q < s.length() && "abcdefghijklmnopqrstuvwxyz{}!".indexOf(s.charAt(q)) >= 0) {
            q++;
        }
        if (q == p || (q < s.length() && WORD_END.indexOf(s.charAt(q)) < 0)) {
            return null;
        }
        String w = s.substring(p, q);
        return Set.of("while", "until", "do", "done", "if", "then", "elif", "else", "fi", "for", "in", "{", "}", "!")
                .contains(w) ? w : null;
    }

    private void keyword(String w) throws ShellSyntaxException {
        blanksAndNewlines();
        if (!w.equals(reserved())) {
            throw unexpected();
        }
        p += w.length();
    }

    private void expect(String token) throws ShellSyntaxException {
        blanksAndNewlines();
        if (!at(token)) {
            throw unexpected();
        }
        p += token.length();
    }

    private ShellSyntaxException unexpected() {
        if (p >= s.length()) {
            return new ShellSyntaxException("syntax error: unexpected end of file");
        }
        int end = p + 1;
        while (end < s.length() && end < p + 2 && WORD_END.indexOf(s.charAt(end)) >= 0 && s.charAt(end) == s.charAt(p)) {
            end++;
        }
        String tok = s.substring(p, end).equals("\n") ? "newline" : s.substring(p, end);
        if (Character.isLetter(s.charAt(p))) {
            int q = p;
            while (q < s.length() && WORD_END.indexOf(s.charAt(q)) < 0) {
                q++;
            }
            tok = s.substring(p, q);
        }
        return new ShellSyntaxException("syntax error near unexpected token `" + tok + "'");
    }

    private boolean at(String t) {
        return s.startsWith(t, p);
    }

    private void blanks() {
        while (p < s.length() && (s.charAt(p) == ' ' || s.charAt(p) == '\t' || s.startsWith("\\\n", p))) {
            p += s.charAt(p) == '\\' ? 2 : 1;
        }
        if (p < s.length() && s.charAt(p) == '#') {
            while (p < s.length() && s.charAt(p) != '\n') {
                p++;
            }
        }
    }

    private void blanksAndNewlines() {
        blanks();
        while (p < s.length() && s.charAt(p) == '\n') {
            p++;
            blanks();
        }
    }
}
