package io.parvirt.hmc;

import io.parvirt.model.AttributeInput;
import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.Limits;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.Values;
import io.parvirt.system.ManagedSystem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code lssyscfg}, {@code mksyscfg}, {@code chsyscfg}, {@code rmsyscfg}. */
final class SyscfgCommands {

    HmcResult lssyscfg(Hmc.Context c) {
        Options o = new Options().values("-r", "-m", "--filter").withFields().parse(c.args());
        String r = o.oneOf("-r", "sys", "lpar", "prof");
        if (r.equals("sys")) {
            if (o.has("-m")) {
                Systems.check(c.sys(), o.get("-m"));
            }
            Filter.parse(o.get("--filter"), Set.of());
            return Listing.render(List.of(SystemView.row(c.sys(), null)), o.fields(), o.header(),
                    SystemView.ATTRIBUTES);
        }
        Systems.check(c.sys(), o.require("-m"));
        SystemDefinition def = c.sys().definition();
        Set<String> allowed = r.equals("lpar") ? Set.of("lpar_names", "lpar_ids", "work_groups")
                : Set.of("lpar_names", "lpar_ids", "profile_names");
        Filter f = Filter.parse(o.get("--filter"), allowed);
        List<Partition> parts = partitions(def, f);
        List<Row> rows = new ArrayList<>();
        if (r.equals("lpar")) {
            List<String> groups = f.get("work_groups");
            for (Partition p : parts) {
                if (groups == null || groups.contains(def.defaultProfile(p).options().workGroupId())) {
                    rows.add(LparView.row(def, c.sys().host(), p, c.hmc().operations().state(p.id())));
                }
            }
            return Listing.render(rows, o.fields(), o.header(), LparView.ATTRIBUTES);
        }
        List<String> names = f.get("profile_names");
        for (Partition p : parts) {
            for (Profile prof : def.profiles(p.id())) {
                if (names == null || names.contains(prof.name())) {
                    rows.add(ProfileView.row(def, p, prof));
                }
            }
        }
        return Listing.render(rows, o.fields(), o.header(), ProfileView.ATTRIBUTES);
    }

    /** The partitions a filter selects, in id order; a name or id that does not exist is HSCL8012. */
    static List<Partition> partitions(SystemDefinition def, Filter f) {
        List<String> names = f.get("lpar_names");
        List<String> ids = f.get("lpar_ids");
        if (names == null && ids == null) {
            return new ArrayList<>(def.partitions());
        }
        Set<Integer> wanted = new LinkedHashSet<>();
        if (names != null) {
            for (String n : names) {
                wanted.add(def.partition(n).orElseThrow(() -> ManagedSystem.notFound(n)).id());
            }
        }
        if (ids != null) {
            for (String s : ids) {
                int id;
                try {
                    id = Values.parseInt("lpar_ids", s, 1, Limits.MAX_LPARS);
                } catch (ModelException e) {
                    throw HmcException.badParameter("--filter");
                }
                wanted.add(def.partition(id).orElseThrow(() -> ModelException.of(
                        ModelException.Kind.PARTITION_NOT_FOUND, "The partition with ID " + id + " was not found."))
                        .id());
            }
        }
        return def.partitions().stream().filter(p -> wanted.contains(p.id())).toList();
    }

    HmcResult mksyscfg(Hmc.Context c) {
        Options o = new Options().values("-r", "-m", "-i", "-f", "-o", "-p", "-n", "--id").flags("--force")
                .parse(c.args());
        String r = o.oneOf("-r", "lpar", "prof");
        Systems.check(c.sys(), o.require("-m"));
        if (o.has("-o")) {
            throw HmcException.badParameter("-o");
        }
        List<List<Assignment>> records = Records.read(o, c.inv());
        if (r.equals("lpar")) {
            c.sys().createPartitions(records, c.inv().user());
        } else {
            c.sys().editProfiles(records, true, c.inv().user());
        }
        return HmcResult.OK;
    }

    HmcResult chsyscfg(Hmc.Context c) {
        Options o = new Options().values("-r", "-m", "-i", "-f", "-o", "-p", "-n", "--id").flags("--force")
                .parse(c.args());
        String r = o.oneOf("-r", "lpar", "prof", "sys");
        Systems.check(c.sys(), o.require("-m"));
        if (o.has("-o")) {
            throw HmcException.badParameter("-o");
        }
        List<List<Assignment>> records = Records.read(o, c.inv());
        switch (r) {
            case "lpar" -> c.sys().changePartitions(records, c.inv().user());
            case "prof" -> c.sys().editProfiles(records, false, c.inv().user());
            default -> {
                if (records.size() != 1) {
                    throw HmcException.badParameter("-f");
                }
                c.sys().changeSystem(records.getFirst(), c.inv().user());
            }
        }
        return HmcResult.OK;
    }

    HmcResult rmsyscfg(Hmc.Context c) {
        Options o = new Options().values("-r", "-m", "-n", "-p", "--id").flags("--force", "--vioscfg", "--vdisks")
                .parse(c.args());
        String r = o.oneOf("-r", "lpar", "prof");
        Systems.check(c.sys(), o.require("-m"));
        if (r.equals("lpar")) {
            Partition p = Systems.partition(c.sys(), o.exactlyOne("-n", "--id"));
            var st = c.hmc().operations().state(p.id()).map(s -> s.state());
            if (st.isPresent() && st.get().active()) {
                throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name() + " is "
                        + st.get().hmcName() + ": it can be removed only when Not Activated. Shut it down with "
                        + "chsysstate -o shutdown --immed first.");
            }
            c.sys().removePartition(p, c.inv().user());
            c.hmc().operations().forget(p.id());
        } else {
            Partition p = Systems.partition(c.sys(), o.exactlyOne("-p", "--id"));
            c.sys().removeProfile(p, o.require("-n"), c.inv().user());
        }
        return HmcResult.OK;
    }

    /** The records of {@code -i} (one) or {@code -f} (one per non-blank line). */
    static final class Records {
        private Records() {
        }

        static List<List<Assignment>> read(Options o, HmcInvocation inv) {
            if (o.has("-i") == o.has("-f")) {
                throw HmcException.badParameter(o.has("-i") ? new String[] {"-i", "-f"} : new String[] {"-i or -f"});
            }
            List<List<Assignment>> out = new ArrayList<>();
            if (o.has("-i")) {
                out.add(AttributeInput.parseRecord(o.get("-i")));
                return out;
            }
            String content = inv.files().get(o.get("-f"));
            if (content == null) {
                throw new HmcException("The file " + o.get("-f") + " could not be read.  Please check the file name "
                        + "and retry the command.");
            }
            for (String line : content.split("\r?\n")) {
                if (!line.isBlank()) {
                    out.add(AttributeInput.parseRecord(line.strip()));
                }
            }
            if (out.isEmpty()) {
                throw new HmcException("The file " + o.get("-f") + " contains no records.");
            }
            return out;
        }
    }
}
