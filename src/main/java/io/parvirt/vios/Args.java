package io.parvirt.vios;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One VIOS command's words: {@code -flag}s, {@code -option value}s and positional words. */
final class Args {
    private final String command;
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final List<String> positional = new ArrayList<>();

    private Args(String command) {
        this.command = command;
    }

    /** Parses {@code words}; an option not in {@code valueOptions} or {@code flagOptions} is a usage error. */
    static Args parse(String command, List<String> words, Set<String> valueOptions, Set<String> flagOptions) {
        Args a = new Args(command);
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (valueOptions.contains(w)) {
                if (i + 1 >= words.size() || a.values.containsKey(w)) {
                    throw ViosException.usage(command, w + (a.values.containsKey(w) ? " is given twice"
                            : " needs a value"));
                }
                a.values.put(w, words.get(++i));
            } else if (flagOptions.contains(w)) {
                a.flags.add(w);
            } else if (w.startsWith("-") && !w.matches("-[0-9].*")) {
                throw ViosException.usage(command, "the flag " + w + " is not valid");
            } else {
                a.positional.add(w);
            }
        }
        return a;
    }

    String get(String option) {
        return values.get(option);
    }

    boolean has(String flagOrOption) {
        return flags.contains(flagOrOption) || values.containsKey(flagOrOption);
    }

    String require(String option) {
        String v = values.get(option);
        if (v == null) {
            throw ViosException.usage(command, option + " is required");
        }
        return v;
    }

    List<String> positional() {
        return positional;
    }

    /** No positional words are allowed. */
    Args noPositional() {
        if (!positional.isEmpty()) {
            throw ViosException.usage(command, "the word " + positional.getFirst() + " is not expected");
        }
        return this;
    }
}
