package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.command.HmcCommand;
import io.parvirt.hmc.command.Verb;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Every typed command names the HMC word it is parsed from, one the parser knows (task roles go by it). */
@Tag("unit")
class CommandVerbsTest {
    @Test
    void everyCommandRecordNamesAKnownVerb() throws NoSuchMethodException {
        List<Class<?>> records = new ArrayList<>();
        collect(HmcCommand.class, records);
        assertThat(records).hasSizeGreaterThan(50);
        for (Class<?> r : records) {
            Verb v = r.getAnnotation(Verb.class);
            boolean ownVerb = !r.getMethod("verb").getDeclaringClass().isInterface();
            if (ownVerb) {
                continue; // its word depends on its fields (mksyscfg or chsyscfg): checked where it is parsed
            }
            boolean inherited = r.getMethod("verb").isDefault()
                    && r.getMethod("verb").getDeclaringClass() != HmcCommand.class;
            if (inherited) {
                continue; // its family has one word (lslparutil)
            }
            assertThat(v).as(r.getName() + " names its verb").isNotNull();
            assertThat(CommandParser.VERBS).as(r.getName()).contains(v.value());
        }
    }

    private static void collect(Class<?> c, List<Class<?>> out) {
        if (c.isRecord()) {
            out.add(c);
        }
        Class<?>[] sub = c.getPermittedSubclasses();
        if (sub != null) {
            for (Class<?> s : sub) {
                collect(s, out);
            }
        }
    }
}
