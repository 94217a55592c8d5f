package io.parvirt.hmc;

import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.partition.RunState;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code chsysstate}, {@code lsrefcode}, {@code mkvterm}, {@code rmvterm}: the HMC grammar of
 * partition power operations, carried out by {@link PartitionOperations}.
 */
final class PowerCommands {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss")
            .withZone(ZoneId.systemDefault());
    private final PartitionOperations operations;

    PowerCommands(PartitionOperations operations) {
        this.operations = operations;
    }

    HmcResult chsysstate(Hmc.Context c) {
        Options o = new Options().values("-m", "-r", "-o", "-n", "--id", "-f", "-b", "-k")
                .flags("--immed", "--restart", "--force", "--test").parse(c.args());
        Systems.check(c.sys(), o.require("-m"));
        if (o.oneOf("-r", "lpar", "sys").equals("sys")) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "The managed system is the host and is "
                    + "always Operating: it cannot be powered on or off from the console.");
        }
        String op = o.oneOf("-o", "on", "shutdown", "osshutdown", "restart");
        Partition p = Systems.partition(c.sys(), o.exactlyOne("-n", "--id"));
        if (o.has("--test") && !op.equals("on")) {
            throw HmcException.badParameter("--test");
        }
        String profile = o.get("-f") != null ? o.get("-f") : p.defaultProfile();
        switch (op) {
            case "on" -> {
                if (o.has("--test")) {
                    return HmcResult.text(LaunchPlans.describe(p, operations.plan(p, profile)));
                }
                operations.activate(p, profile);
            }
            case "restart" -> operations.restart(p, o.has("--immed"));
            default -> {
                if (o.has("--restart")) {
                    operations.restart(p, o.has("--immed"));
                } else {
                    operations.shutdown(p, o.has("--immed"));
                }
            }
        }
        return HmcResult.OK;
    }

    HmcResult lsrefcode(Hmc.Context c) {
        Options o = new Options().values("-r", "-m", "--filter", "-n").withFields().parse(c.args());
        o.oneOf("-r", "lpar");
        Systems.check(c.sys(), o.require("-m"));
        Filter f = Filter.parse(o.get("--filter"), Set.of("lpar_names", "lpar_ids"));
        List<Row> rows = new ArrayList<>();
        for (Partition p : SyscfgCommands.partitions(c.sys().definition(), f)) {
            var st = operations.state(p.id());
            rows.add(new Row().put("lpar_name", p.name()).put("lpar_id", p.id())
                    .put("time_stamp", st.map(x -> TIME.format(x.refTime())).orElse(""))
                    .put("refcode", st.map(RunState::refCode).orElse(""))
                    .put("word2", st.map(x -> x.refCode().isEmpty() ? "" : "00000000").orElse(""))
                    .put("refcode_text", st.map(x -> x.refText() + (x.refDetail().isEmpty() ? ""
                            : ": " + x.refDetail())).orElse("")));
        }
        return Listing.render(rows, o.fields(), o.header(), Set.of("lpar_name", "lpar_id", "time_stamp", "refcode",
                "word2", "refcode_text"));
    }

    HmcResult mkvterm(Hmc.Context c) {
        Options o = new Options().values("-m", "-p", "--id").parse(c.args());
        Systems.check(c.sys(), o.require("-m"));
        Partition p = Systems.partition(c.sys(), o.exactlyOne("-p", "--id"));
        return HmcResult.vterm(operations.openVterm(p).toString());
    }

    HmcResult rmvterm(Hmc.Context c) {
        Options o = new Options().values("-m", "-p", "--id").parse(c.args());
        Systems.check(c.sys(), o.require("-m"));
        Partition p = Systems.partition(c.sys(), o.exactlyOne("-p", "--id"));
        operations.closeVterm(p);
        return HmcResult.OK;
    }
}
