package io.parvirt.hmc;

import io.parvirt.hmc.command.BackupCommand;
import io.parvirt.hmc.command.BackupCommand.BackupPartition;
import io.parvirt.hmc.command.BackupCommand.CancelJob;
import io.parvirt.hmc.command.BackupCommand.ClonePartition;
import io.parvirt.hmc.command.BackupCommand.ListJobs;
import io.parvirt.hmc.command.BackupCommand.RestorePartition;
import io.parvirt.model.Limits;
import java.util.List;

/** {@code bklpar}, {@code rstlpar}, {@code cplpar}, {@code migrdisk}, {@code lslparjob} and {@code rmlparjob} from their words. */
final class BackupParser {
    private BackupParser() {
    }

    static BackupCommand parse(String verb, List<String> args) {
        return switch (verb) {
            case "bklpar" -> {
                Options o = new Options().values("-m", "-p", "--id", "-f").flags("--force").parse(args);
                yield new BackupPartition(o.require("-m"), o.partition("-p", "--id"), o.require("-f"),
                        o.has("--force"));
            }
            case "rstlpar" -> {
                Options o = new Options().values("-m", "-f", "-n", "--newid").parse(args);
                yield new RestorePartition(o.require("-m"), o.require("-f"), name(o), newId(o));
            }
            case "cplpar" -> {
                Options o = new Options().values("-m", "-p", "--id", "-n", "--newid").flags("--linked").parse(args);
                io.parvirt.hmc.command.PartitionRef source = o.partition("-p", "--id");
                o.require("-n");
                yield new ClonePartition(o.require("-m"), source, name(o), newId(o), o.has("--linked"));
            }
            case "migrdisk" -> {
                Options o = new Options().values("-m", "-p", "--id", "-bd", "-sp", "--rate").parse(args);
                yield new BackupCommand.MigrateDisk(o.require("-m"), o.partition("-p", "--id"), o.require("-bd"),
                        o.require("-sp"), o.has("--rate") ? Options.integer("--rate", o.get("--rate"), 0, 1 << 20) : 0);
            }
            case "lslparjob" -> {
                Options o = new Options().values("-m").withFields().parse(args);
                yield new ListJobs(o.require("-m"), o.format());
            }
            case "rmlparjob" -> {
                Options o = new Options().values("-m", "--id").parse(args);
                yield new CancelJob(o.require("-m"), Options.integer("--id", o.require("--id"), 1,
                        Integer.MAX_VALUE));
            }
            default -> throw new IllegalStateException("no parser for " + verb);
        };
    }

    private static String name(Options o) {
        String n = o.get("-n");
        if (n != null && n.isEmpty()) {
            throw HmcException.badParameter("-n");
        }
        return n;
    }

    private static Integer newId(Options o) {
        return o.has("--newid") ? Options.integer("--newid", o.get("--newid"), 1, Limits.MAX_LPARS) : null;
    }
}
