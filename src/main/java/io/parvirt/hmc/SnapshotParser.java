package io.parvirt.hmc;

import io.parvirt.hmc.command.PartitionRef;
import io.parvirt.hmc.command.SnapshotCommand;
import io.parvirt.hmc.command.SnapshotCommand.ListSnapshots;
import io.parvirt.hmc.command.SnapshotCommand.RemoveSnapshot;
import io.parvirt.hmc.command.SnapshotCommand.RevertSnapshot;
import io.parvirt.hmc.command.SnapshotCommand.TakeSnapshot;
import java.util.List;

/** {@code mklparsnap}, {@code lslparsnap}, {@code rstlparsnap} and {@code rmlparsnap} from their words. */
final class SnapshotParser {
    private SnapshotParser() {
    }

    static SnapshotCommand parse(String verb, List<String> args) {
        return switch (verb) {
            case "mklparsnap" -> {
                Options o = new Options().values("-m", "-p", "--id", "-n", "-d").flags("--nomem").parse(args);
                PartitionRef p = o.partition("-p", "--id");
                yield new TakeSnapshot(o.require("-m"), p, name(o), !o.has("--nomem"), o.get("-d"));
            }
            case "lslparsnap" -> {
                Options o = new Options().values("-m", "-p", "--id").withFields().parse(args);
                PartitionRef p = o.has("-p") || o.has("--id") ? o.partition("-p", "--id") : null;
                yield new ListSnapshots(o.require("-m"), p, o.format());
            }
            case "rstlparsnap" -> {
                Options o = new Options().values("-m", "-p", "--id", "-n").parse(args);
                PartitionRef p = o.partition("-p", "--id");
                yield new RevertSnapshot(o.require("-m"), p, name(o));
            }
            case "rmlparsnap" -> {
                Options o = new Options().values("-m", "-p", "--id", "-n").parse(args);
                PartitionRef p = o.partition("-p", "--id");
                yield new RemoveSnapshot(o.require("-m"), p, name(o));
            }
            default -> throw new IllegalStateException("no parser for " + verb);
        };
    }

    private static String name(Options o) {
        String n = o.require("-n");
        if (n.isEmpty()) {
            throw HmcException.badParameter("-n");
        }
        return n;
    }
}
