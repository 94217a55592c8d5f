package io.parvirt.hmc;

import java.util.ArrayList;
import java.util.List;

/** One listed object: attributes in the HMC's order. Attributes that do not apply are simply not added. */
public final class Row {
    private final List<String> names = new ArrayList<>();
    private final List<String> values = new ArrayList<>();

    public Row put(String name, Object value) {
        names.add(name);
        values.add(String.valueOf(value));
        return this;
    }

    public Row putIf(boolean cond, String name, Object value) {
        return cond ? put(name, value) : this;
    }

    public List<String> names() {
        return names;
    }

    public String get(String name) {
        int i = names.indexOf(name);
        return i < 0 ? null : values.get(i);
    }

    public List<String> values() {
        return values;
    }
}
