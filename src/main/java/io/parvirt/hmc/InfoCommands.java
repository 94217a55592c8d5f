package io.parvirt.hmc;

import io.parvirt.hmc.command.ConsoleInfoCommand;
import io.parvirt.hmc.command.ConsoleInfoCommand.ListLed;
import io.parvirt.hmc.command.ConsoleInfoCommand.ListLic;
import io.parvirt.hmc.command.ConsoleInfoCommand.ShowHmc;
import io.parvirt.model.Partition;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code lshmc}, {@code lslic}, {@code lsled}, {@code lscod}, {@code lscodpool}. Shapes follow
 * reference §11 where captured ({@code lshmc -V}); the others are README "Choices where the
 * reference is silent".
 */
final class InfoCommands {
    private final ManagedSystem sys;

    InfoCommands(ManagedSystem sys) {
        this.sys = sys;
    }

    HmcResult run(ConsoleInfoCommand c) {
        return switch (c) {
            case ShowHmc s -> lshmc(s);
            case ListLic l -> lslic(l);
            case ListLed l -> lsled(l);
            case ConsoleInfoCommand.MonitorHmc m -> HmcResult.text(ConsoleMonitor.sample(m.resource()));
            case ConsoleInfoCommand.ListCod l -> {
                if (l.system() != null) {
                    Systems.check(sys, l.system());
                }
                yield Listing.render(List.of(), null, false, Set.of());
            }
        };
    }

    private HmcResult lshmc(ShowHmc s) {
        HostFacts h = sys.host();
        Row row = switch (s.facet()) {
            case VERSION -> new Row().put("version", " Version: " + HmcLevel.VERSION + "\n Release: "
                    + HmcLevel.RELEASE + "\n Service Pack: " + HmcLevel.SERVICE_PACK + "\nHMC Build level "
                    + HmcLevel.BUILD + "\n").put("base_version", HmcLevel.BASE + "\n");
            case VPD -> new Row().put("vpd", "*FC ????????\n*VC 20.0\n*FC ????????\n*DS Hardware Management Console\n"
                    + "*TM vHMC\n*SE " + h.serial() + "\n*MN parvirt\n*PN N/A\n*SZ " + h.memoryMb() * 1024 * 1024
                    + "\n*OS Embedded Operating Systems\n*NA " + h.ipaddr() + "\n*FC ????????\n"
                    + "*DS Platform Firmware\n*RM " + HmcLevel.BASE + "\n");
            case NETWORK -> network(h);
            case BIOS -> new Row().put("bios", "parvirt " + HmcLevel.parvirt());
            case REMOTE -> new Row().put("ssh", "enable").put("sshprotocol", "2").put("remotewebui", "disable")
                    .put("xntp", "disable").put("xntpserver", "").put("syslogserver", "").put("netboot", "disable")
                    .put("altdiskboot", "disable").put("ldap", "disable").put("kerberos", "disable")
                    .put("sol", "disabled");
        };
        if (s.format().fields() == null && (s.facet() == ConsoleInfoCommand.HmcFacet.VERSION
                || s.facet() == ConsoleInfoCommand.HmcFacet.VPD)) {
            // Multi-line values: every pair is quoted whole, as the HMC prints them (reference §11).
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < row.names().size(); i++) {
                b.append(i == 0 ? "" : ",").append('"').append(row.names().get(i)).append('=')
                        .append(row.values().get(i)).append('"');
            }
            return HmcResult.listing(b.append('\n').toString(), List.of(row));
        }
        return Listing.render(List.of(row), s.format().fields(), s.format().header(), Set.copyOf(row.names()));
    }

    private static Row network(HostFacts h) {
        String host = h.hostname();
        int dot = host.indexOf('.');
        return new Row().put("hostname", dot < 0 ? host : host.substring(0, dot))
                .put("domain", dot < 0 ? "" : host.substring(dot + 1)).put("ipaddr", h.ipaddr())
                .put("networkmask", "").put("gateway", "").put("nameserver", "").put("domainsuffix", "")
                .put("ipv6addr", "").put("lparcomm", "off");
    }

    /** parvirt is the firmware of the systems it manages: its version is the code level tools read. */
    private HmcResult lslic(ListLic l) {
        Systems.check(sys, l.system());
        String digits = HmcLevel.parvirtDigits();
        String level = Integer.toString(Integer.parseInt(digits));
        String spname = "PV" + digits + "_" + level;
        String ec = "01PV" + digits;
        Row r = new Row().put("lic_type", "Managed System").put("management_status", "Enabled")
                .put("disabled_reason", "").put("activated_level", level).put("activated_spname", spname)
                .put("installed_level", level).put("installed_spname", spname).put("accepted_level", level)
                .put("accepted_spname", spname).put("ecnumber", ec).put("mtms", SystemView.mtms(sys.host()))
                .put("deferred_level", "None").put("deferred_spname", spname).put("platform_ipl_level", level)
                .put("platform_ipl_spname", spname).put("curr_level_primary", level)
                .put("curr_spname_primary", spname).put("curr_ecnumber_primary", ec)
                .put("curr_power_on_side_primary", "temp").put("pend_power_on_side_primary", "temp")
                .put("temp_level_primary", level).put("temp_spname_primary", spname)
                .put("temp_ecnumber_primary", ec).put("perm_level_primary", level)
                .put("perm_spname_primary", spname).put("perm_ecnumber_primary", ec)
                .put("update_control", "HMC");
        return Listing.render(List.of(r), l.format().fields(), l.format().header(), Set.copyOf(r.names()));
    }

    /** No attention LED is ever lit: parvirt reports no serviceable hardware events. */
    private HmcResult lsled(ListLed l) {
        Systems.check(sys, l.system());
        List<Row> rows = new ArrayList<>();
        if (l.type().equals("virtuallpar")) {
            for (Partition p : sys.definition().partitions()) {
                rows.add(new Row().put("lpar_id", p.id()).put("lpar_name", p.name()).put("state", "off"));
            }
        } else {
            rows.add(new Row().put("state", "off"));
        }
        return Listing.render(rows, l.format().fields(), l.format().header(), Set.of("lpar_id", "lpar_name",
                "state"));
    }
}
