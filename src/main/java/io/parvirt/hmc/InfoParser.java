package io.parvirt.hmc;

import io.parvirt.hmc.command.ConsoleInfoCommand;
import io.parvirt.hmc.command.ConsoleInfoCommand.HmcFacet;
import io.parvirt.hmc.command.UserCommand;
import io.parvirt.hmc.command.UserCommand.AuthorizeKey;
import io.parvirt.hmc.command.UserCommand.RemoteKeys;
import io.parvirt.hmc.command.HmcCommand;
import java.util.ArrayList;
import java.util.List;

/** {@code lshmc}, {@code lslic}, {@code lsled}, {@code lscod}, {@code lscodpool} and {@code mkauthkeys} from their words. */
final class InfoParser {
    private InfoParser() {
    }

    static HmcCommand parse(String verb, List<String> args) {
        return switch (verb) {
            case "lshmc" -> lshmc(args);
            case "lslic" -> {
                Options o = new Options().values("-m", "-t", "--filter").withFields().parse(args);
                if (o.has("-t")) {
                    o.oneOf("-t", "sys", "syspower", "power");
                }
                yield new ConsoleInfoCommand.ListLic(o.require("-m"), o.format());
            }
            case "lsled" -> {
                Options o = new Options().values("-m", "-r", "-t", "--filter").withFields().parse(args);
                o.oneOf("-r", "sa");
                yield new ConsoleInfoCommand.ListLed(o.require("-m"), o.oneOf("-t", "phys", "virtualsys",
                        "virtuallpar"), o.format());
            }
            case "lscod", "lscodpool" -> {
                // Every form lists Capacity on Demand, which a parvirt system has none of: the options
                // are accepted as they come (-t, -r, -c, --level, -p, ...).
                Options o = new Options().values("-m", "-t", "-r", "-c", "--level", "-p", "--filter")
                        .withFields().parse(args);
                yield new ConsoleInfoCommand.ListCod(verb, o.get("-m"));
            }
            case "mkauthkeys" -> mkauthkeys(args);
            case "monhmc" -> {
                // one sample whatever -n says: a tool's exec channel wants an answer, not a running top
                Options o = new Options().values("-r", "-n").parse(args);
                if (o.has("-n")) {
                    Options.integer("-n", o.get("-n"), 0, 3600);
                }
                yield new ConsoleInfoCommand.MonitorHmc(o.oneOf("-r", "mem", "swap", "proc", "disk"));
            }
            default -> throw new IllegalArgumentException(verb);
        };
    }

    private static ConsoleInfoCommand.ShowHmc lshmc(List<String> args) {
        Options o = new Options().flags("-V", "-v", "-n", "-b", "-r", "-i", "-l", "-h").values("--filter")
                .withFields().parse(args);
        List<HmcFacet> facets = new ArrayList<>();
        String[] flags = {"-V", "-v", "-n", "-b", "-r"};
        for (int i = 0; i < flags.length; i++) {
            if (o.has(flags[i])) {
                facets.add(HmcFacet.values()[i]);
            }
        }
        if (facets.size() != 1) {
            throw HmcException.badParameter(facets.isEmpty() ? "-V, -v, -n, -b or -r" : "-V, -v, -n, -b, -r");
        }
        return new ConsoleInfoCommand.ShowHmc(facets.getFirst(), o.format());
    }

    /**
     * The key is one argument ({@code -a "ssh-ed25519 AAAA… user@host"}), as the HMC takes it. With
     * {@code --ip} the key is the caller's own: {@code -a} and {@code -r} take no value, and
     * {@code --test} checks it.
     */
    private static UserCommand mkauthkeys(List<String> args) {
        if (args.contains("--ip")) {
            Options o = new Options().values("--ip", "-u", "--passwd", "-t")
                    .flags("-a", "--add", "-r", "--remove", "--test").parse(args);
            List<RemoteKeys.Operation> ops = new java.util.ArrayList<>();
            if (o.has("-a") || o.has("--add")) {
                ops.add(RemoteKeys.Operation.ADD);
            }
            if (o.has("-r") || o.has("--remove")) {
                ops.add(RemoteKeys.Operation.REMOVE);
            }
            if (o.has("--test")) {
                ops.add(RemoteKeys.Operation.TEST);
            }
            if (ops.size() != 1) {
                throw HmcException.badParameter(ops.isEmpty() ? "-a, -r or --test" : "-a, -r, --test");
            }
            if (o.has("-t") && !o.get("-t").equals("rsa")) {
                throw HmcException.badParameter("-t"); // the console's key pair is RSA, as an HMC's
            }
            if (o.has("--passwd") && ops.getFirst() == RemoteKeys.Operation.TEST) {
                throw HmcException.badParameter("--passwd"); // a test logs in with the key alone
            }
            if (o.require("--ip").isBlank()) {
                throw HmcException.badParameter("--ip");
            }
            return new RemoteKeys(ops.getFirst(), o.get("--ip"), o.get("-u"), o.get("--passwd"));
        }
        Options o = new Options().values("-a", "-r", "-u", "-t").values("--add", "--remove").parse(args);
        String add = o.has("-a") ? o.get("-a") : o.get("--add");
        String remove = o.has("-r") ? o.get("-r") : o.get("--remove");
        if ((add == null) == (remove == null)) {
            throw HmcException.badParameter(add == null ? "-a or -r" : "-a, -r");
        }
        return new AuthorizeKey(add != null, add != null ? add.strip() : remove.strip(), o.get("-u"));
    }
}
