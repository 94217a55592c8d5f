package io.parvirt.hmc;

import io.parvirt.model.ModelException;
import io.parvirt.model.Values;
import io.parvirt.store.ConsoleEvent;
import io.parvirt.store.HmcUser;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code lssvcevents -t console} and the HMC user commands {@code mkhmcusr}, {@code lshmcusr}, {@code rmhmcusr}. */
final class ConsoleCommands {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    HmcResult lssvcevents(Hmc.Context c) {
        Options o = new Options().values("-t", "-d", "-m", "--filter").withFields().parse(c.args());
        o.oneOf("-t", "console", "hardware");
        int days = 7;
        if (o.has("-d")) {
            try {
                days = Values.parseInt("-d", o.get("-d"), 0, 3650);
            } catch (ModelException e) {
                throw HmcException.badParameter("-d");
            }
        }
        List<Row> rows = new ArrayList<>();
        if (o.get("-t").equals("console")) {
            Instant since = LocalDate.now().minusDays(days).atStartOfDay(ZoneId.systemDefault()).toInstant();
            for (ConsoleEvent e : c.sys().events(since)) {
                rows.add(new Row().put("time", TIME.format(e.time())).put("userid", e.userid()).put("pid", "0")
                        .put("name", e.name()).put("category", e.category()).put("severity", e.severity())
                        .put("text", e.text()));
            }
        }
        return Listing.render(rows, o.fields(), o.header(), Set.of("time", "userid", "pid", "name", "category",
                "severity", "text"));
    }

    HmcResult mkhmcusr(Hmc.Context c) {
        Options o = new Options().values("-u", "-a", "--passwd", "-d", "-M").parse(c.args());
        String name = o.require("-u");
        if (!name.matches("[A-Za-z][A-Za-z0-9_.\\-]{0,31}")) {
            throw HmcException.badParameter("-u");
        }
        String role = o.require("-a");
        if (!HmcUsers.ROLES.contains(role)) {
            throw HmcException.badParameter("-a");
        }
        String pw = o.require("--passwd");
        if (pw.length() < 8 || pw.length() > 128) {
            throw new ModelException(ModelException.Kind.OUT_OF_RANGE, "passwd", "The password for user " + name
                    + " is not valid: it must have 8 to 128 characters.");
        }
        if (c.hmc().users().find(name).isPresent()) {
            throw new ModelException(ModelException.Kind.NAME_IN_USE, "name", "The user " + name
                    + " already exists.");
        }
        c.hmc().users().save(c.hmc().users().create(name, role, pw), c.inv().user());
        return HmcResult.OK;
    }

    HmcResult lshmcusr(Hmc.Context c) {
        Options o = new Options().values("--filter").withFields().parse(c.args());
        Filter f = Filter.parse(o.get("--filter"), Set.of("names"));
        List<Row> rows = new ArrayList<>();
        for (HmcUser u : c.hmc().users().all()) {
            if (f.get("names") == null || f.get("names").contains(u.name())) {
                rows.add(new Row().put("name", u.name()).put("taskrole", u.role()).put("description", "")
                        .put("resourcerole", "ALL:").put("authentication_type", "local"));
            }
        }
        return Listing.render(rows, o.fields(), o.header(), Set.of("name", "taskrole", "description",
                "resourcerole", "authentication_type"));
    }

    HmcResult rmhmcusr(Hmc.Context c) {
        Options o = new Options().values("-u").parse(c.args());
        String name = o.require("-u");
        if (c.hmc().users().find(name).isEmpty()) {
            throw ModelException.of(ModelException.Kind.USER_NOT_FOUND, "The user " + Values.quote(name)
                    .replace("\"", "") + " was not found.");
        }
        c.hmc().users().remove(name);
        return HmcResult.OK;
    }
}
