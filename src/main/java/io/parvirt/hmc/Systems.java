package io.parvirt.hmc;

import io.parvirt.model.Limits;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.Values;
import io.parvirt.system.ManagedSystem;

/** Resolves {@code -m} and the partition selectors {@code -n}/{@code -p}/{@code --id}. */
final class Systems {
    private Systems() {
    }

    /** {@code -m} takes the system's name or its {@code tttt-mmm*ssssssss}. */
    static void check(ManagedSystem sys, String m) {
        if (!m.equals(sys.definition().settings().name()) && !m.equals(SystemView.mtms(sys.host()))) {
            throw ModelException.of(ModelException.Kind.SYSTEM_NOT_FOUND, "The managed system " + Values.quote(m)
                    .replace("\"", "") + " was not found.  Use lssyscfg -r sys -F name to list managed systems.");
        }
    }

    /** {@code selector} is {option, value} from {@link Options#exactlyOne}. */
    static Partition partition(ManagedSystem sys, String[] selector) {
        if (selector[0].equals("--id")) {
            int id;
            try {
                id = Values.parseInt("--id", selector[1], 1, Limits.MAX_LPARS);
            } catch (ModelException e) {
                throw HmcException.badParameter("--id");
            }
            return sys.partition(id);
        }
        return sys.partition(selector[1]);
    }
}
