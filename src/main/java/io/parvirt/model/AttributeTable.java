package io.parvirt.model;

import static io.parvirt.model.ModelException.Kind.INVALID_VALUE;
import static io.parvirt.model.ModelException.Kind.NOT_SUPPORTED;
import static io.parvirt.model.ModelException.Kind.UNKNOWN_ATTRIBUTE;

import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.AttributeInput.Op;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/** Attribute name to the code that applies it to a draft of type D. Unknown names are errors. */
public final class AttributeTable<D> {
    private final String what;
    private final Map<String, BiConsumer<D, Assignment>> setters = new LinkedHashMap<>();
    private final java.util.Set<String> lists = new java.util.HashSet<>();

    public AttributeTable(String what) {
        this.what = what;
    }

    public boolean has(String name) {
        return setters.containsKey(name);
    }

    /** Whether {@code name} takes a list of elements (its value may be given as a JSON array). */
    public boolean isList(String name) {
        return lists.contains(name);
    }

    public void apply(D draft, Assignment a) {
        BiConsumer<D, Assignment> s = setters.get(a.name());
        if (s == null) {
            throw new ModelException(UNKNOWN_ATTRIBUTE, a.name(), "The attribute " + Values.quote(a.name())
                    + " is not a valid attribute for " + what + ".");
        }
        s.accept(draft, a);
    }

    /** A scalar: only {@code name=value}. */
    public AttributeTable<D> scalar(String name, BiConsumer<D, String> set) {
        setters.put(name, (d, a) -> {
            if (a.op() != Op.SET) {
                throw new ModelException(INVALID_VALUE, name, "The attribute " + name
                        + " is not a list: use " + name + "=value.");
            }
            Values.checkLength(name, a.value());
            set.accept(d, a.value());
        });
        return this;
    }

    /** An attribute parvirt shows with one fixed value and accepts only with that value. */
    public AttributeTable<D> fixed(String name, String value, String why) {
        return scalar(name, (d, v) -> {
            if (!v.equals(value)) {
                throw new ModelException(NOT_SUPPORTED, name, "The value " + Values.quote(v) + " for attribute "
                        + name + " is not supported by this managed system: " + why + ".");
            }
        });
    }

    /**
     * A list of elements that own a slot-like key: {@code =} replaces the list, {@code +=} adds
     * elements, {@code -=} removes the elements with the same key.
     */
    public <E> AttributeTable<D> list(String name, Function<String, E> parse, ToIntFunction<E> key,
            Function<D, List<E>> get, BiConsumer<D, List<E>> set) {
        lists.add(name);
        setters.put(name, (d, a) -> {
            List<E> given = new ArrayList<>();
            for (String s : AttributeInput.splitList(name, a.value())) {
                given.add(parse.apply(s));
            }
            List<E> result = switch (a.op()) {
                case SET -> given;
                case ADD -> {
                    List<E> l = new ArrayList<>(get.apply(d));
                    l.addAll(given);
                    yield l;
                }
                case REMOVE -> {
                    List<E> l = new ArrayList<>(get.apply(d));
                    for (E g : given) {
                        if (!l.removeIf(e -> key.applyAsInt(e) == key.applyAsInt(g))) {
                            throw new ModelException(INVALID_VALUE, name, "The element with key "
                                    + key.applyAsInt(g) + " to remove from " + name + " does not exist.");
                        }
                    }
                    yield l;
                }
            };
            set.accept(d, result);
        });
        return this;
    }
}
