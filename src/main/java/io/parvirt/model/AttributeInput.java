package io.parvirt.model;

import static io.parvirt.model.ModelException.Kind.DUPLICATE_ATTRIBUTE;
import static io.parvirt.model.ModelException.Kind.SYNTAX;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The HMC attribute grammar of {@code -i "..."}, {@code -f} lines and {@code -a "..."}.
 *
 * <pre>
 *   record   := pair ( ',' pair )*
 *   pair     := field                      field unquoted: no '"' and no ','
 *             | '"' quoted '"'             quoted: '""' stands for one '"', ',' is literal
 *   field    := name ( '=' | '+=' | '-=' ) value
 *   list     := the same CSV rule applied once more to a value, so a list element that holds
 *               commas is written ""a,b"" inside a quoted pair:
 *               "virtual_eth_adapters=3/1/1/10/0/1,""2/1/1/3,4,5/0/1"""
 * </pre>
 *
 * Input is strict: unbalanced quotes, a quote inside an unquoted field, an empty pair, a bad name
 * and a repeated attribute are errors, never guessed at.
 */
public final class AttributeInput {
    private AttributeInput() {
    }

    public enum Op { SET, ADD, REMOVE }

    /** One {@code name=value}, {@code name+=value} or {@code name-=value}. */
    public record Assignment(String name, Op op, String value) {
    }

    public static final int MAX_RECORD_LENGTH = 64 * 1024;

    public static List<Assignment> parseRecord(String record) {
        if (record.length() > MAX_RECORD_LENGTH) {
            throw ModelException.of(SYNTAX, "The attribute input is too long: " + record.length()
                    + " characters, at most " + MAX_RECORD_LENGTH + " are allowed.");
        }
        List<Assignment> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String field : splitCsv(record, "attribute input", true)) {
            Assignment a = parsePair(field);
            if (!seen.add(a.name())) {
                throw new ModelException(DUPLICATE_ATTRIBUTE, a.name(), "The attribute " + a.name()
                        + " was specified more than once. Specify each attribute once.");
            }
            out.add(a);
        }
        return out;
    }

    private static Assignment parsePair(String field) {
        int eq = field.indexOf('=');
        if (eq <= 0) {
            throw ModelException.of(SYNTAX, "The attribute input " + Values.quote(field)
                    + " is not valid: each entry must have the form attribute=value.");
        }
        String name = field.substring(0, eq);
        Op op = Op.SET;
        if (name.endsWith("+")) {
            op = Op.ADD;
        } else if (name.endsWith("-")) {
            op = Op.REMOVE;
        }
        if (op != Op.SET) {
            name = name.substring(0, name.length() - 1);
        }
        if (!name.matches("[a-z0-9_]{1,64}")) {
            throw ModelException.of(SYNTAX, "The attribute name " + Values.quote(name)
                    + " is not valid: names use lower-case letters, digits and underscores.");
        }
        return new Assignment(name, op, field.substring(eq + 1));
    }

    /** Splits one CSV level; {@code what} names the input in error sentences. */
    public static List<String> splitCsv(String s, String what) {
        return splitCsv(s, what, false);
    }

    /**
     * {@code blanksAfterCommas}: blanks that start an entry are dropped, as the HMC accepts
     * "name=a, profile_name=b" between attributes (reference §10); a list element keeps its blanks.
     */
    private static List<String> splitCsv(String s, String what, boolean blanksAfterCommas) {
        List<String> out = new ArrayList<>();
        if (s.isEmpty()) {
            throw ModelException.of(SYNTAX, "The " + what + " is empty.");
        }
        int i = 0;
        int n = s.length();
        while (true) {
            StringBuilder f = new StringBuilder();
            // blanks after a comma, as scripts write "name=a, profile_name=b" (reference §10)
            while (blanksAfterCommas && i > 0 && i < n && isBlank(s.charAt(i))) {
                i++;
            }
            if (i < n && s.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = s.charAt(i++);
                    if (c == '"') {
                        if (i < n && s.charAt(i) == '"') {
                            f.append('"');
                            i++;
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        f.append(c);
                    }
                }
                if (!closed) {
                    throw ModelException.of(SYNTAX, "The " + what + " has an unbalanced quote: a quoted entry"
                            + " must end with a double quote.");
                }
                if (i < n && s.charAt(i) != ',') {
                    throw ModelException.of(SYNTAX, "The " + what + " is not valid: a quoted entry must be"
                            + " followed by a comma or the end of the input.");
                }
            } else {
                while (i < n && s.charAt(i) != ',') {
                    char c = s.charAt(i++);
                    if (c == '"') {
                        throw ModelException.of(SYNTAX, "The " + what + " has a double quote inside an unquoted"
                                + " entry: quote the whole entry and double the inner quotes.");
                    }
                    f.append(c);
                }
            }
            if (f.isEmpty()) {
                throw ModelException.of(SYNTAX, "The " + what + " has an empty entry: remove the extra comma.");
            }
            out.add(f.toString());
            if (i >= n) {
                return out;
            }
            i++; // the comma
            if (i >= n) {
                throw ModelException.of(SYNTAX, "The " + what + " ends with a comma: remove it.");
            }
        }
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /**
     * Splits a list value; {@code none} and the empty value are the empty list. One trailing comma
     * is accepted, as the HMC accepts it from scripts that build lists in a loop (reference §10).
     */
    public static List<String> splitList(String attr, String value) {
        if (value.length() > 1 && value.endsWith(",") && !value.endsWith(",,")) {
            value = value.substring(0, value.length() - 1);
        }
        if (value.isEmpty() || value.equals("none")) {
            return List.of();
        }
        return splitCsv(value, "value of attribute " + attr);
    }
}
