package io.parvirt.hmc;

import io.parvirt.hmc.command.PowerCommand;
import io.parvirt.hmc.command.PowerCommand.ChangeState;
import io.parvirt.hmc.command.PowerCommand.ChangeSystemState;
import io.parvirt.hmc.command.PowerCommand.CloseVterm;
import io.parvirt.hmc.command.PowerCommand.ListRefcode;
import io.parvirt.hmc.command.PowerCommand.OpenVterm;
import io.parvirt.hmc.command.PowerCommand.VtermMode;
import io.parvirt.hmc.command.PowerCommand.Operation;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code chsysstate}, {@code chlparstate}, {@code lsrefcode}, {@code mkvterm}, {@code rmvterm} from their words. */
final class PowerParser {
    private PowerParser() {
    }

    static PowerCommand parse(String verb, List<String> args) {
        return switch (verb) {
            case "chsysstate" -> changeState(args);
            case "chlparstate" -> {
                Options o = new Options().values("-m", "-o", "-p", "--id").parse(args);
                String system = o.require("-m");
                PowerCommand.SuspendOperation op = PowerCommand.SuspendOperation.valueOf(o.oneOf("-o", "suspend",
                        "resume", "shutdown").toUpperCase(Locale.ROOT));
                yield new PowerCommand.ChangeLparState(system, o.partition("-p", "--id"), op);
            }
            case "lsrunstate" -> {
                Options o = new Options().values("-r", "-m", "--filter").withFields().parse(args);
                o.oneOf("-r", "lpar");
                yield new PowerCommand.ListRunState(o.require("-m"), o.filter(Set.of("lpar_names", "lpar_ids")),
                        o.format());
            }
            case "lsrefcode" -> {
                Options o = new Options().values("-r", "-m", "--filter", "-n").withFields().parse(args);
                o.oneOf("-r", "lpar");
                String system = o.require("-m");
                yield new ListRefcode(system, o.filter(Set.of("lpar_names", "lpar_ids")), o.format());
            }
            case "mkvterm" -> {
                Options o = new Options().values("-m", "-p", "--id").flags("--view", "--take").parse(args);
                if (o.has("--view") && o.has("--take")) {
                    throw HmcException.badParameter("--view", "--take");
                }
                yield new OpenVterm(o.require("-m"), o.partition("-p", "--id"), o.has("--view") ? VtermMode.VIEW
                        : o.has("--take") ? VtermMode.TAKE : VtermMode.KEYBOARD);
            }
            case "rmvterm" -> {
                Options o = new Options().values("-m", "-p", "--id").parse(args);
                yield new CloseVterm(o.require("-m"), o.partition("-p", "--id"));
            }
            default -> throw new IllegalArgumentException(verb);
        };
    }

    /** {@code -b} (boot mode) and {@code -k} (keylock) are accepted and not used, as by the handler. */
    private static PowerCommand changeState(List<String> args) {
        Options o = new Options().values("-m", "-r", "-o", "-n", "--id", "-f", "-b", "-k")
                .flags("--immed", "--restart", "--force", "--test").parse(args);
        String system = o.require("-m");
        if (o.oneOf("-r", "lpar", "sys").equals("sys")) {
            // the HMC's power-on variants all end Operating here: no standby, no system profiles
            String op = o.oneOf("-o", "on", "onstandby", "onstartpolicy", "onhwdisc", "off");
            return new ChangeSystemState(system, !op.equals("off"), o.has("--immed"));
        }
        Operation op = Operation.valueOf(o.oneOf("-o", "on", "shutdown", "osshutdown", "restart", "pause", "resume")
                .toUpperCase(Locale.ROOT));
        if (o.has("--test") && op != Operation.ON) {
            throw HmcException.badParameter("--test");
        }
        return new ChangeState(system, o.partition("-n", "--id"), op, o.get("-f"), o.has("--immed"),
                o.has("--restart"), o.has("--test"));
    }
}
