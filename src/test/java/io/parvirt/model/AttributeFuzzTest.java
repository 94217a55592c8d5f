package io.parvirt.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.model.ModelException.Kind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Committed fuzz test: 20,000 seeded hostile {@code -i} records go through parseRecord, the profile
 * attribute table and build(). Every outcome must be a Profile that obeys the rules or a
 * ModelException with a one-line message; no other exception may escape. Each distinct problem is
 * reported once, with its input shrunk to a minimal reproducer.
 */
@Tag("unit")
class AttributeFuzzTest {
    static final long SEED = 0x5EEDF00DL;
    static final int ITERATIONS = 20_000;

    static final Map<String, String> ESCAPES = new LinkedHashMap<>();
    static final Map<String, String> BAD_MESSAGES = new LinkedHashMap<>();
    static final Map<String, String> BAD_PROFILES = new LinkedHashMap<>();
    static final Set<Kind> KINDS = EnumSet.noneOf(Kind.class);
    static int built;

    /** Where one record ends: "" for a valid profile, "kind:..." for a ModelException, else the escape. */
    static String outcome(String record, LparEnv env) {
        int lparId = env == LparEnv.VIOSERVER ? TestContext.VIOS_ID : TestContext.NEW_ID;
        TestContext ctx = TestContext.standard();
        try {
            ProfileDraft d = ProfileDraft.create("fuzz", lparId);
            for (AttributeInput.Assignment a : AttributeInput.parseRecord(record)) {
                ProfileAttributes.apply(d, a);
            }
            Profile p = d.build(env, ctx);
            String broken = brokenRule(p, env, ctx.lmbMb());
            return broken == null ? "" : "profile:" + broken;
        } catch (ModelException e) {
            String bad = badMessage(e, wellFormed(record));
            return bad == null ? "kind:" + e.kind() : "message:" + bad;
        } catch (Throwable t) { // StackOverflowError too: anything but ModelException is a bug
            return "escape:" + t.getClass().getName() + " at " + firstFrame(t);
        }
    }

    @BeforeAll
    static void fuzz() {
        Random rnd = new Random(SEED);
        HostileRecords gen = new HostileRecords(rnd);
        for (int i = 0; i < ITERATIONS; i++) {
            String record = gen.next();
            LparEnv env = rnd.nextInt(4) == 0 ? LparEnv.VIOSERVER : LparEnv.AIXLINUX;
            String o = outcome(record, env);
            if (o.isEmpty()) {
                built++;
            } else if (o.startsWith("kind:")) {
                KINDS.add(Kind.valueOf(o.substring(5)));
            } else {
                Map<String, String> into = o.startsWith("escape:") ? ESCAPES
                        : o.startsWith("message:") ? BAD_MESSAGES : BAD_PROFILES;
                into.computeIfAbsent(o, k -> report(shrink(record, r -> outcome(r, env).equals(k)), env, record));
            }
        }
    }

    @Test
    void noExceptionOtherThanModelExceptionEscapes() {
        assertThat(ESCAPES).as("exceptions escaping the model (input shrunk)").isEmpty();
    }

    @Test
    void everyModelExceptionMessageIsOneNonEmptyLineNamingSomething() {
        assertThat(BAD_MESSAGES).as("ModelException messages that are not one naming line").isEmpty();
    }

    @Test
    void everyBuiltProfileObeysTheRules() {
        assertThat(BAD_PROFILES).as("profiles that build but break a rule").isEmpty();
    }

    @Test
    void fuzzReachesValidProfilesAndManyErrorKinds() {
        assertThat(built).as("valid profiles among %d records", ITERATIONS).isGreaterThan(ITERATIONS / 50);
        assertThat(KINDS).as("error kinds reached").contains(Kind.SYNTAX, Kind.UNKNOWN_ATTRIBUTE, Kind.INVALID_VALUE,
                Kind.OUT_OF_RANGE, Kind.ORDERING, Kind.GRANULARITY, Kind.MISSING_ATTRIBUTE, Kind.DUPLICATE_ATTRIBUTE,
                Kind.SLOT_CONFLICT, Kind.INVALID_REFERENCE, Kind.NOT_SUPPORTED);
    }

    static String badMessage(ModelException e) {
        return badMessage(e, true);
    }

    /**
     * Null when the message is one non-empty line of printable text that names the thing rejected.
     * Unpaired surrogates count only when the input had none (an echo of garbage is not a new fault).
     */
    static String badMessage(ModelException e, boolean checkSurrogates) {
        String m = e.getMessage();
        if (e.kind() == null || m == null || m.isBlank()) {
            return "kind or message missing";
        }
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "not one line of text: contains a C0 control character or DEL";
            }
            if (c >= 0x80 && c <= 0x9f) {
                return "not one line of text: contains a C1 control character (U+0085 NEL is a line terminator)";
            }
            if (c == '\u2028' || c == '\u2029') {
                return "not one line of text: contains U+2028/U+2029 LINE/PARAGRAPH SEPARATOR";
            }
        }
        if (checkSurrogates && !wellFormed(m)) {
            return "not well-formed text: unpaired surrogate";
        }
        if (m.length() > 500) {
            return "message of " + m.length() + " characters";
        }
        boolean names = (e.attribute() != null && m.contains(e.attribute())) || m.matches(".*\"[^\"]*\".*")
                || m.matches(".*\\b[a-z0-9]+_[a-z0-9_]+\\b.*") || m.contains("attribute");
        return names ? null : "names nothing: " + m;
    }

    /** True when every surrogate in s is part of a pair. */
    static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** Re-checks reference §3 on a profile that was accepted; null when it holds. */
    static String brokenRule(Profile p, LparEnv env, long lmb) {
        MemorySettings m = p.memory();
        if (m.minMb() < lmb || m.minMb() > m.desiredMb() || m.desiredMb() > m.maxMb() || m.minMb() % lmb != 0
                || m.desiredMb() % lmb != 0 || m.maxMb() % lmb != 0 || m.maxMb() > 64 * m.minMb()) {
            return "memory " + m;
        }
        ProcessorSettings c = p.processors();
        if (c.minProcs() > c.desiredProcs() || c.desiredProcs() > c.maxProcs() || c.uncapWeight() < 0
                || c.uncapWeight() > 255 || c.sharingMode().forShared() != c.shared()) {
            return "processors " + c;
        }
        if (c.shared()) {
            int[][] lv = {{c.minUnits().hundredths(), c.minProcs()}, {c.desiredUnits().hundredths(), c.desiredProcs()},
                {c.maxUnits().hundredths(), c.maxProcs()}};
            for (int[] l : lv) {
                if (l[0] < 5 * l[1] || l[0] > 100 * l[1]) {
                    return "units per VP " + c;
                }
            }
            if (c.minUnits().compareTo(c.desiredUnits()) > 0 || c.desiredUnits().compareTo(c.maxUnits()) > 0) {
                return "units ordering " + c;
            }
        }
        Set<Integer> slots = new HashSet<>();
        for (VirtualAdapter a : p.io().all()) {
            if (a.slot() >= p.io().maxVirtualSlots() || !slots.add(a.slot())) {
                return "slot " + a.format();
            }
        }
        if (env != LparEnv.VIOSERVER && p.io().eth().stream().anyMatch(VirtualEthernetAdapter::isTrunk)) {
            return "trunk adapter outside a VIOS";
        }
        return null;
    }

    /** Greedy delta shrink: drops ever smaller chunks while the same outcome still reproduces. */
    static String shrink(String input, Predicate<String> same) {
        String s = input;
        for (String piece : input.split(",")) { // often one pair alone reproduces
            if (piece.length() < s.length() && same.test(piece)) {
                s = piece;
            }
        }
        int budget = 5000;
        for (int at = 0; at < s.length() && budget-- > 0; ) { // first whole pairs, up to and with a comma
            int comma = s.indexOf(',', at);
            String t = comma < 0 ? s.substring(0, at) : s.substring(0, at) + s.substring(comma + 1);
            if (t.length() < s.length() && same.test(t)) {
                s = t;
            } else {
                at = comma < 0 ? s.length() : comma + 1;
            }
        }
        for (int chunk = Integer.highestOneBit(Math.max(1, s.length())); chunk >= 1; chunk /= 2) {
            for (int at = 0; at + chunk <= s.length() && budget-- > 0; ) {
                String t = s.substring(0, at) + s.substring(at + chunk);
                if (same.test(t)) {
                    s = t; // keep the position: the next chunk slid into it
                } else {
                    at += chunk == 1 ? 1 : Math.max(1, chunk / 2);
                }
            }
        }
        return s;
    }

    static String report(String minimal, LparEnv env, String original) {
        List<String> lines = new ArrayList<>();
        lines.add("minimal input (" + env.hmcName() + "): " + escape(minimal));
        lines.add("original input: " + escape(original.length() > 300 ? original.substring(0, 300) + "..." : original));
        try {
            ProfileDraft d = ProfileDraft.create("fuzz", env == LparEnv.VIOSERVER ? 1 : 3);
            AttributeInput.parseRecord(minimal).forEach(a -> ProfileAttributes.apply(d, a));
            d.build(env, TestContext.standard());
        } catch (Throwable t) {
            lines.add(t.toString());
            for (StackTraceElement f : t.getStackTrace()) {
                if (f.getClassName().equals(AttributeFuzzTest.class.getName())) {
                    break;
                }
                lines.add("    at " + f);
            }
        }
        return String.join("\n", lines);
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return b.toString();
    }

    private static String firstFrame(Throwable t) {
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().startsWith("io.parvirt.")) {
                return f.getClassName() + "." + f.getMethodName();
            }
        }
        return t.getStackTrace().length > 0 ? t.getStackTrace()[0].toString() : "?";
    }
}
