package io.parvirt.hmc;

import io.parvirt.hmc.command.SysconnCommand;
import io.parvirt.model.ModelException;
import java.util.List;

/** {@code mksysconn}, {@code lssysconn}, {@code rmsysconn} from their words. */
final class SysconnParser {
    /** The user {@code mksysconn} logs in as when {@code -u} is not given, as the HMC's own default user. */
    static final String DEFAULT_USER = "hscroot";

    private SysconnParser() {
    }

    static SysconnCommand parse(String verb, List<String> args) {
        return switch (verb) {
            case "mksysconn" -> {
                Options o = new Options().values("--ip", "-r", "-u", "--passwd", "-o").flags("--force").parse(args);
                if (o.has("-o")) {
                    o.oneOf("-o", "auto");
                    throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "mksysconn -o auto (DHCP discovery of "
                            + "service processors) is not supported: connect each system with --ip.");
                }
                if (o.has("-r")) {
                    o.oneOf("-r", "sys");
                }
                yield new SysconnCommand.MakeConnection(o.require("--ip"), o.has("-u") ? o.get("-u") : DEFAULT_USER,
                        o.require("--passwd"));
            }
            case "lssysconn" -> {
                Options o = new Options().values("-r", "--filter").withFields().parse(args);
                o.oneOf("-r", "all");
                yield new SysconnCommand.ListConnections(o.format());
            }
            case "rmsysconn" -> {
                Options o = new Options().values("-o", "--ip").parse(args);
                o.oneOf("-o", "remove");
                yield new SysconnCommand.RemoveConnection(o.require("--ip"));
            }
            default -> throw new IllegalArgumentException(verb);
        };
    }
}
