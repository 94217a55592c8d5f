package io.parvirt.hmc;

import io.parvirt.hmc.command.HmcCommand;
import io.parvirt.hmc.command.LifecycleCommand.ActivateSystemProfile;
import io.parvirt.hmc.command.LifecycleCommand.BackupProfileData;
import io.parvirt.hmc.command.LifecycleCommand.DeployTemplate;
import io.parvirt.hmc.command.LifecycleCommand.EditSystemProfiles;
import io.parvirt.hmc.command.LifecycleCommand.ListSystemProfiles;
import io.parvirt.hmc.command.LifecycleCommand.ListTemplates;
import io.parvirt.hmc.command.LifecycleCommand.RemoveSystemProfile;
import io.parvirt.hmc.command.LifecycleCommand.RemoveTemplate;
import io.parvirt.hmc.command.LifecycleCommand.RestoreProfileData;
import io.parvirt.hmc.command.LifecycleCommand.SaveTemplates;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The lifecycle forms of the syscfg and power commands ({@code -r sysprof}, {@code -r lpartemplate},
 * {@code mksyscfg -r lpar --template}) and {@code bkprofdata}/{@code rstprofdata}. Asked first by
 * {@link CommandParser}; a form it does not know goes on to the family's own parser unchanged.
 */
final class LifecycleParser {
    private LifecycleParser() {
    }

    static Optional<HmcCommand> parse(String verb, List<String> args, Map<String, String> files) {
        String r = resource(args);
        return Optional.ofNullable(switch (verb) {
            case "bkprofdata" -> {
                Options o = new Options().values("-m", "-f").flags("--force").parse(args);
                yield new BackupProfileData(o.require("-m"), o.require("-f"), o.has("--force"));
            }
            case "rstprofdata" -> {
                Options o = new Options().values("-m", "-l", "-f").parse(args);
                int level = Options.integer("-l", o.require("-l"), 1, 4);
                if (level != 4 && !o.has("-f")) {
                    throw HmcException.badParameter("-f");
                }
                yield new RestoreProfileData(o.require("-m"), level, o.get("-f"));
            }
            case "lssyscfg" -> switch (r) {
                case "sysprof" -> {
                    Options o = new Options().values("-r", "-m", "--filter").withFields().parse(args);
                    yield new ListSystemProfiles(o.require("-m"), o.filter(Set.of("sysprof_names")), o.format());
                }
                case "lpartemplate" -> {
                    Options o = new Options().values("-r", "-m", "--filter").withFields().parse(args);
                    yield new ListTemplates(o.require("-m"), o.filter(Set.of("template_names")), o.format());
                }
                default -> null;
            };
            case "mksyscfg", "chsyscfg" -> edit(verb, r, args, files);
            case "rmsyscfg" -> switch (r) {
                case "sysprof", "lpartemplate" -> {
                    Options o = new Options().values("-r", "-m", "-n").parse(args);
                    yield r.equals("sysprof") ? new RemoveSystemProfile(o.require("-m"), o.require("-n"))
                            : new RemoveTemplate(o.require("-m"), o.require("-n"));
                }
                default -> null;
            };
            case "chsysstate" -> {
                if (!r.equals("sysprof")) {
                    yield null;
                }
                Options o = new Options().values("-m", "-r", "-o", "-n").flags("--test", "--continue").parse(args);
                o.oneOf("-o", "on");
                yield new ActivateSystemProfile(o.require("-m"), o.require("-n"), o.has("--test"));
            }
            default -> null;
        });
    }

    private static HmcCommand edit(String verb, String r, List<String> args, Map<String, String> files) {
        boolean make = verb.equals("mksyscfg");
        if (make && r.equals("lpar") && args.contains("--template")) {
            Options o = new Options().values("-r", "-m", "-i", "-f", "--template").parse(args);
            return new DeployTemplate(o.require("-m"), o.require("--template"), SyscfgParser.records(o, files));
        }
        if (r.equals("sysprof")) {
            Options o = new Options().values("-r", "-m", "-i", "-f").flags("--force").parse(args);
            return new EditSystemProfiles(o.require("-m"), SyscfgParser.records(o, files), make);
        }
        if (make && r.equals("lpartemplate")) {
            Options o = new Options().values("-r", "-m", "-i", "-f").parse(args);
            return new SaveTemplates(o.require("-m"), SyscfgParser.records(o, files));
        }
        return null;
    }

    /** The value of {@code -r}, or "" (the family's parser then says what is missing). */
    private static String resource(List<String> args) {
        int i = args.indexOf("-r");
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : "";
    }
}
