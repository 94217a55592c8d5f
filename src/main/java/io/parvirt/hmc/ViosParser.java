package io.parvirt.hmc;

import io.parvirt.hmc.command.ViosCommand;
import java.util.List;

/** {@code viosvrcmd} from its words. */
final class ViosParser {
    private ViosParser() {
    }

    static ViosCommand parse(List<String> args) {
        Options o = new Options().values("-m", "-p", "--id", "-c").parse(args);
        String system = o.require("-m");
        Options.Selected sel = o.exactlyOne("-p", "--id");
        String command = o.require("-c");
        // the id is checked after -c, as before: a missing command is named before a bad id
        return new ViosCommand(system, Options.partition(sel, "-p"), command);
    }
}
