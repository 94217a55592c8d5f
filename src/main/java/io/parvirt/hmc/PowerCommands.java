package io.parvirt.hmc;

import io.parvirt.hmc.command.PowerCommand;
import io.parvirt.hmc.command.PowerCommand.ChangeState;
import io.parvirt.hmc.command.PowerCommand.ChangeSystemState;
import io.parvirt.hmc.command.PowerCommand.CloseVterm;
import io.parvirt.hmc.command.PowerCommand.ListRefcode;
import io.parvirt.hmc.command.PowerCommand.OpenVterm;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.partition.RunState;
import io.parvirt.system.ManagedSystem;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code chsysstate}, {@code lsrefcode}, {@code mkvterm}, {@code rmvterm}: the HMC's power
 * commands, carried out by {@link PartitionOperations}.
 */
final class PowerCommands {
    /** Where the command came from (the HMC invocation's address: {@code web}, {@code ssh}, an API client's address). */
    static final ScopedValue<String> CLIENT = ScopedValue.newInstance();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss")
            .withZone(ZoneId.systemDefault());
    private final ManagedSystem sys;
    private final PartitionOperations operations;

    PowerCommands(ManagedSystem sys, PartitionOperations operations) {
        this.sys = sys;
        this.operations = operations;
    }

    HmcResult run(PowerCommand command, String user) {
        return switch (command) {
            case ChangeState c -> changeState(c);
            case PowerCommand.ChangeLparState c -> {
                Systems.check(sys, c.system());
                Partition p = Systems.partition(sys, c.partition());
                switch (c.operation()) {
                    case SUSPEND -> operations.suspend(p);
                    case RESUME -> operations.resumeSuspended(p);
                    case SHUTDOWN -> operations.shutdownSuspended(p);
                }
                yield HmcResult.OK;
            }
            case ChangeSystemState c -> {
                Systems.check(sys, c.system());
                if (c.on()) {
                    operations.powerOn();
                } else {
                    operations.powerOff(c.immediate());
                }
                yield HmcResult.OK;
            }
            case ListRefcode c -> refcodes(c);
            case PowerCommand.ListRunState c -> runStates(c);
            case OpenVterm c -> openVterm(c, user);
            case CloseVterm c -> {
                Systems.check(sys, c.system());
                operations.closeVterm(Systems.partition(sys, c.partition()), who(user));
                yield HmcResult.OK;
            }
        };
    }

    private HmcResult openVterm(OpenVterm c, String user) {
        Systems.check(sys, c.system());
        Partition p = Systems.partition(sys, c.partition());
        // who held the keyboard when: the sessions' starts and ends go to the audit trail (ConsoleSessions)
        String origin = origin(CLIENT.orElse("local"));
        return switch (c.mode()) {
            case KEYBOARD -> HmcResult.vterm(operations.openVterm(p, who(user), origin).toString());
            case VIEW -> HmcResult.vterm(operations.viewVterm(p, who(user), origin).toString());
            case TAKE -> HmcResult.vterm(operations.takeVterm(p, who(user), origin).socket().toString());
        };
    }

    private static String who(String user) {
        return user == null ? "the owner" : user;
    }

    /** The client's address in words for the audit trail. */
    static String origin(String address) {
        return switch (address) {
            case "web" -> "the web console";
            case "ssh" -> "SSH (mkvterm)";
            case "local" -> "mkvterm on this host";
            default -> "mkvterm at " + address;
        };
    }

    private HmcResult changeState(ChangeState c) {
        Systems.check(sys, c.system());
        Partition p = Systems.partition(sys, c.partition());
        String profile = c.profile() != null ? c.profile() : p.defaultProfile();
        switch (c.operation()) {
            case ON -> {
                if (c.test()) {
                    return HmcResult.text(LaunchPlans.describe(p, operations.plan(p, profile)));
                }
                operations.activate(p, profile);
            }
            case RESTART -> operations.restart(p, c.immediate());
            case PAUSE -> operations.pause(p, true);
            case RESUME -> operations.pause(p, false);
            case SHUTDOWN, OSSHUTDOWN -> {
                if (c.restart()) {
                    operations.restart(p, c.immediate());
                } else {
                    operations.shutdown(p, c.immediate());
                }
            }
        }
        return HmcResult.OK;
    }

    /** parvirt's own: the HMC's state and parvirt's run state side by side. */
    private HmcResult runStates(PowerCommand.ListRunState c) {
        Systems.check(sys, c.system());
        List<Row> rows = new ArrayList<>();
        for (Partition p : SyscfgCommands.partitions(sys.definition(), new Filter(c.filter().values()))) {
            var st = operations.state(p.id());
            rows.add(new Row().put("lpar_name", p.name()).put("lpar_id", p.id())
                    .put("state", st.map(x -> x.state().hmcName()).orElse("Not Activated"))
                    .put("run_state", st.map(RunState::runState).orElse("Not Activated")));
        }
        return Listing.render(rows, c.format().fields(), c.format().header(), Set.of("lpar_name", "lpar_id", "state",
                "run_state"));
    }

    private HmcResult refcodes(ListRefcode c) {
        Systems.check(sys, c.system());
        List<Row> rows = new ArrayList<>();
        for (Partition p : SyscfgCommands.partitions(sys.definition(), new Filter(c.filter().values()))) {
            var st = operations.state(p.id());
            rows.add(new Row().put("lpar_name", p.name()).put("lpar_id", p.id())
                    .put("time_stamp", st.map(x -> TIME.format(x.refTime())).orElse(""))
                    .put("refcode", st.map(RunState::refCode).orElse(""))
                    .put("word2", st.map(x -> x.refCode().isEmpty() ? "" : "00000000").orElse(""))
                    .put("refcode_text", st.map(x -> x.refText() + (x.refDetail().isEmpty() ? ""
                            : ": " + x.refDetail())).orElse("")));
        }
        return Listing.render(rows, c.format().fields(), c.format().header(), Set.of("lpar_name", "lpar_id",
                "time_stamp", "refcode", "word2", "refcode_text"));
    }
}
