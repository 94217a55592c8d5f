package io.parvirt.hmc;

import io.parvirt.model.AttributeInput;
import io.parvirt.model.ModelException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --filter "f=v,f=v"}: each filter a list of values. Written either quoted as a unit
 * ({@code "\"lpar_names=a,b\""}) or, for one filter, plainly ({@code lpar_names=a,b}); an entry
 * without {@code =} continues the previous filter's values.
 */
record Filter(Map<String, List<String>> values) {
    static final Filter NONE = new Filter(Map.of());

    static Filter parse(String text, Set<String> allowed) {
        if (text == null) {
            return NONE;
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> current = null;
        List<String> entries;
        try {
            entries = AttributeInput.splitCsv(text, "filter");
        } catch (ModelException e) {
            throw HmcException.badParameter("--filter");
        }
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq < 0) {
                if (current == null) {
                    throw HmcException.badParameter("--filter");
                }
                current.add(entry);
                continue;
            }
            String name = entry.substring(0, eq);
            if (!allowed.contains(name) || out.containsKey(name)) {
                throw new HmcException("An invalid filter was entered.  The invalid filter is " + name
                        + ".  Please correct your entry and retry the command.");
            }
            current = new ArrayList<>();
            try {
                current.addAll(AttributeInput.splitCsv(entry.substring(eq + 1), "filter"));
            } catch (ModelException e) {
                throw HmcException.badParameter("--filter");
            }
            out.put(name, current);
        }
        return new Filter(out);
    }

    List<String> get(String name) {
        return values.get(name);
    }
}
