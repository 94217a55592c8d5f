package io.parvirt.hmc;

import io.parvirt.hmc.command.PartitionRef;
import io.parvirt.hmc.command.ViosCommand;
import java.util.List;

/** {@code viosvrcmd} from its words. */
final class ViosParser {
    private ViosParser() {
    }

    static ViosCommand parse(List<String> args) {
        Options o = new Options().values("-m", "-p", "--id", "-c").parse(args);
        String system = o.require("-m");
        String[] sel = o.exactlyOne("-p", "--id");
        String command = o.require("-c");
        // the id is checked after -c, as before: a missing command is named before a bad id
        PartitionRef vios = sel[0].equals("-p") ? new PartitionRef.ByName(sel[1])
                : new PartitionRef.ById(Options.integer("--id", sel[1], 1, io.parvirt.model.Limits.MAX_LPARS));
        return new ViosCommand(system, vios, command);
    }
}
